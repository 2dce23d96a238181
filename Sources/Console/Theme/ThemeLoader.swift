import Core
import Foundation

/// A theme that could not be loaded: names the file and the reason.
package struct ThemeError: Error, Equatable, CustomStringConvertible {
    var file: String
    var reason: String

    package var description: String { "theme \(file): \(reason)" }
}

/// Finds and parses theme files (`themes/NAME.toml`).
///
/// Format: a `name` string and a `[roles]` table whose keys are roles (`ok`, `warn`, `err`,
/// `pending`, `retained`, `unknown`, `progress`, `border`, `border-focused`, `selection`, `header`,
/// `hint-key`, …) and whose values are inline tables `{ fg = "green", bg = "default", bold = true,
/// reverse = false, underline = false, dim = false }`. Colors are `default`, ANSI names
/// (`red`, `bright-blue`) or 256-color indexes (`color208`). Roles left out fall back to `text`.
package enum ThemeLoader {
    /// Loads `nameOrPath`: a path when it contains `/` or ends in `.toml`, else a name looked up
    /// in the theme directories. The built-in default serves when no `default.toml` is found.
    package static func load(_ nameOrPath: String, searchPaths: [String] = defaultSearchPaths()) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            return try loadFile(nameOrPath)
        }
        for dir in searchPaths {
            let path = (dir as NSString).appendingPathComponent("\(nameOrPath).toml")
            if FileManager.default.fileExists(atPath: path) { return try loadFile(path) }
        }
        if nameOrPath == "default" { return try parse(BuiltinTheme.defaultTOML, file: "built-in default") }
        throw ThemeError(
            file: "\(nameOrPath).toml",
            reason: "no such theme in \(searchPaths.joined(separator: ", ")); available: \(available(searchPaths).joined(separator: ", "))")
    }

    static func available(_ searchPaths: [String] = defaultSearchPaths()) -> [String] {
        var names = Set<String>()
        for dir in searchPaths {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where file.hasSuffix(".toml") {
                names.insert(String(file.dropLast(5)))
            }
        }
        return names.sorted()
    }

    /// `$GWOPS_THEMES`, `themes/` next to (or above) the executable, `/usr/share/gwops/themes`, `/etc/gwops/themes`.
    static func defaultSearchPaths() -> [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["GWOPS_THEMES"] { paths.append(env) }
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("themes").path
            if FileManager.default.fileExists(atPath: candidate) { paths.append(candidate) }
            for share in ["share/gwops/themes"] {
                let p = dir.appendingPathComponent(share).path
                if FileManager.default.fileExists(atPath: p) { paths.append(p) }
            }
            dir.deleteLastPathComponent()
        }
        paths += ["/usr/share/gwops/themes", "/etc/gwops/themes"]
        return paths
    }

    static func loadFile(_ path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(file: path, reason: "file not found or unreadable")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ThemeError(file: path, reason: "not UTF-8 text") }
        return try parse(text, file: path)
    }

    static func parse(_ text: String, file: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(parsing: text)
        } catch let error as TOMLError {
            throw ThemeError(file: file, reason: error.description)
        }
        for key in table.keys where !["name", "description", "roles"].contains(key) {
            throw ThemeError(file: file, reason: "unknown key \"\(key)\" (expected name, description, [roles])")
        }
        guard let name = table["name"]?.string, !name.isEmpty else { throw ThemeError(file: file, reason: "missing name") }
        guard let roles = table["roles"]?.table else { throw ThemeError(file: file, reason: "missing [roles] table") }
        var styles: [ThemeRole: Style] = [:]
        for key in roles.keys {
            guard let role = ThemeRole(rawValue: key) else {
                throw ThemeError(file: file, reason: "roles.\(key): unknown role (known: \(ThemeRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let spec = roles[key]?.table else {
                throw ThemeError(file: file, reason: "roles.\(key): expected an inline table like { fg = \"green\" }")
            }
            styles[role] = try style(spec, key: "roles.\(key)", file: file)
        }
        guard styles[.text] != nil else { throw ThemeError(file: file, reason: "roles.text is required") }
        return Theme(name: name, styles: styles)
    }

    private static func style(_ spec: TOMLTable, key: String, file: String) throws -> Style {
        var s = Style()
        for field in spec.keys {
            switch field {
            case "fg", "bg":
                guard let text = spec[field]?.string, let color = TermColor(name: text) else {
                    throw ThemeError(file: file, reason: "\(key).\(field): not a color (use default, an ANSI name like bright-red, or color0…color255)")
                }
                if field == "fg" { s.fg = color } else { s.bg = color }
            case "bold", "reverse", "underline", "dim":
                guard let flag = spec[field]?.bool else { throw ThemeError(file: file, reason: "\(key).\(field): expected true or false") }
                switch field {
                case "bold": s.bold = flag
                case "reverse": s.reverse = flag
                case "underline": s.underline = flag
                default: s.dim = flag
                }
            default:
                throw ThemeError(file: file, reason: "\(key).\(field): unknown attribute (fg, bg, bold, reverse, underline, dim)")
            }
        }
        return s
    }
}
