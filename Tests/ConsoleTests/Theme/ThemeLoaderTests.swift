import Foundation
import Testing
import TestSupport
@testable import Console

struct ThemeLoaderTests {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes").path

    @Test(arguments: ["default", "high-contrast", "solarized-dark", "mono"])
    func shippedThemeLoadsWithEveryRole(name: String) throws {
        let theme = try ThemeLoader.load(name, searchPaths: [Self.themesDir])
        #expect(theme.name == name)
        #expect(Set(theme.styles.keys) == Set(ThemeRole.allCases), "\(name) sets every role")
    }

    @Test func builtInDefaultIsTheShippedFile() throws {
        let file = try String(contentsOfFile: Self.themesDir + "/default.toml", encoding: .utf8)
        #expect(file.trimmingCharacters(in: .whitespacesAndNewlines) == BuiltinTheme.defaultTOML.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func defaultWorksWithoutAThemesDirectory() throws {
        #expect(try ThemeLoader.load("default", searchPaths: []).name == "default")
    }

    @Test func unknownThemeNamesTheAvailableOnes() {
        do {
            _ = try ThemeLoader.load("neon", searchPaths: [Self.themesDir])
            Issue.record("expected an error")
        } catch let error as ThemeError {
            #expect(error.description.contains("neon.toml"))
            #expect(error.description.contains("solarized-dark"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [
        ("name = \"x\"\n[roles]\ntext = { fg = \"default\" }\nsparkles = { fg = \"red\" }\n", "roles.sparkles: unknown role"),
        ("name = \"x\"\n[roles]\ntext = { fg = \"chartreuse\" }\n", "roles.text.fg: not a color"),
        ("name = \"x\"\n[roles]\ntext = { fg = \"red\", blink = true }\n", "roles.text.blink: unknown attribute"),
        ("name = \"x\"\n[roles]\nok = { fg = \"red\" }\n", "roles.text is required"),
        ("[roles]\ntext = {}\n", "missing name"),
        ("name = \"x\"\n[roles\n", "line 2"),
    ])
    func badThemeFileNamesFileAndReason(text: String, reason: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("bad.toml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ThemeLoader.load(path)
            Issue.record("expected an error for \(reason)")
        } catch let error as ThemeError {
            #expect(error.description.contains(path))
            #expect(error.description.contains(reason), "\(error)")
        }
    }

    @Test func sixteenColorTerminalsGetANSIColors() throws {
        let theme = try ThemeLoader.load("default", searchPaths: [Self.themesDir]).adapted(colors: .ansi16, unicode: true)
        for style in theme.styles.values {
            for color in [style.fg, style.bg] {
                if case .indexed = color { Issue.record("\(color) survived on a 16-color terminal") }
            }
        }
    }

    @Test func colorNamesParse() {
        #expect(TermColor(name: "bright-red") == .ansi(9))
        #expect(TermColor(name: "color208") == .indexed(208))
        #expect(TermColor(name: "3") == .ansi(3))
        #expect(TermColor(name: "color300") == nil)
        #expect(TermColor.indexed(196).ansi16 == .ansi(9))
    }
}
