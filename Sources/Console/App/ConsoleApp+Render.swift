import Core

extension ConsoleApp {
    /// Builds the whole frame. Only visible rows are formatted.
    package func render(now: Timestamp, theme: Theme) -> ScreenBuffer {
        var buffer = ScreenBuffer(width: state.width, height: state.height)
        buffer.fill(buffer.bounds, style: theme[.text])
        if state.tooSmall {
            let lines = [
                "gwops needs a terminal of at least \(ConsoleState.minimumWidth)×\(ConsoleState.minimumHeight)",
                "this one is \(state.width)×\(state.height): enlarge it, or press q to quit",
            ]
            for (i, line) in lines.enumerated() {
                let text = TextWidth.truncate(line, to: state.width)
                buffer.put(text, x: max(0, (state.width - TextWidth.of(text)) / 2), y: state.height / 2 - 1 + i, style: theme[i == 0 ? .warn : .text])
            }
            return buffer
        }
        let main = Chrome(data: data, state: state, now: now).render(in: buffer.bounds, into: &buffer, theme: theme)
        let cursor = state[cursor: state.view]
        if let uuid = state.detail {
            ArtifactDetailView(
                uuid: uuid, row: data.artifacts.first { $0.summary.uuid == uuid }, content: detailContent, events: detailEvents,
                history: detailHistory, keys: detailKeys, subscriptions: detailSubscriptions, scroll: detailScroll
            ).render(in: main, into: &buffer, theme: theme)
        } else {
            switch state.view {
            case .artifacts:
                ArtifactsView(rows: data.artifacts, visible: visible[.artifacts] ?? [], cursor: cursor, filter: state.filter)
                    .render(in: main, into: &buffer, theme: theme)
            case .replicas:
                ReplicasView(
                    reports: data.replicas, records: data.replicaRecords, history: data.lagHistory,
                    visible: visible[.replicas] ?? [], cursor: cursor, filter: state.filter
                ).render(in: main, into: &buffer, theme: theme)
            case .orphans:
                OrphansView(
                    reviews: data.reviews, visible: visible[.orphans] ?? [], cursor: cursor, filter: state.filter,
                    marked: state.marked, now: now
                ).render(in: main, into: &buffer, theme: theme)
            case .sync:
                SyncView(runs: data.runs, now: now).render(in: main, into: &buffer, theme: theme)
            case .events:
                EventsView(
                    events: data.events, artifacts: data.eventArtifacts, visible: visible[.events] ?? [], cursor: cursor, filter: state.filter
                ).render(in: main, into: &buffer, theme: theme)
            }
        }
        if let dialog = state.dialog {
            DialogView.box(dialog, plan: data.plan, glyphs: theme.glyphs).render(in: buffer.bounds, into: &buffer, theme: theme)
        } else if state.showHelp {
            HelpView(view: state.view, readonly: state.readonly).box().render(in: buffer.bounds, into: &buffer, theme: theme)
        }
        return buffer
    }
}
