/// Reading the fields of a tar header block and of long-name and pax entries.
extension TarStream {
    static func entryType(_ flag: UInt8) -> TarEntryType {
        switch flag {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): return .regular
        case UInt8(ascii: "1"): return .hardLink
        case UInt8(ascii: "2"): return .symbolicLink
        case UInt8(ascii: "3"): return .characterDevice
        case UInt8(ascii: "4"): return .blockDevice
        case UInt8(ascii: "5"): return .directory
        case UInt8(ascii: "6"): return .fifo
        default: return .other(flag)
        }
    }

    static func padded(_ size: Int) -> Int {
        (size + blockSize - 1) / blockSize * blockSize
    }

    func verifyChecksum(_ header: ArraySlice<UInt8>, offset: Int) throws {
        // The checksum field itself counts as eight spaces.
        var unsigned = 8 * Int(UInt8(ascii: " "))
        var signed = unsigned
        header.withUnsafeBufferPointer { bytes in
            for (index, byte) in bytes.enumerated() where index < 148 || index >= 156 {
                unsigned += Int(byte)
                signed += Int(Int8(bitPattern: byte))
            }
        }
        guard let stored = try? numeric(header, 148, 8, offset: offset, field: "checksum"),
            stored == unsigned || stored == signed
        else { throw ArchiveError.badChecksum(offset: offset) }
    }

    /// Parses an octal field (NUL- or space-terminated, leading spaces allowed) or a base-256 field.
    func numeric(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, offset: Int, field: String) throws -> Int {
        let raw = header[header.startIndex + start..<header.startIndex + start + length]
        let bad = ArchiveError.malformedHeader(offset: offset, reason: "the \(field) field is not a number")
        if let first = raw.first, first & 0x80 != 0 {
            guard first == 0x80 else { throw bad }  // 0xFF marks a negative number
            var value = 0
            for byte in raw.dropFirst() {
                guard value <= (Int.max >> 8) else { throw bad }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var index = raw.startIndex
        while index < raw.endIndex && raw[index] == UInt8(ascii: " ") { index += 1 }
        while index < raw.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(raw[index]) {
            value = value * 8 + Int(raw[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard raw[index...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else { throw bad }
        return value
    }

    func text(_ header: ArraySlice<UInt8>, _ start: Int, _ length: Int, offset: Int, field: String) throws -> String {
        let raw = header[header.startIndex + start..<header.startIndex + start + length]
        let used = raw.prefix { $0 != 0 }
        guard let value = String(validating: used, as: UTF8.self) else {
            throw ArchiveError.malformedHeader(offset: offset, reason: "the \(field) field is not valid UTF-8")
        }
        return value
    }

    func longNameText(_ data: ArraySlice<UInt8>, offset: Int) throws -> String {
        let used = data.prefix { $0 != 0 }
        guard !used.isEmpty, let value = String(validating: used, as: UTF8.self) else {
            throw ArchiveError.malformedHeader(offset: offset, reason: "the GNU long name is empty or not valid UTF-8")
        }
        return value
    }

    /// Parses pax records: `"<length> <key>=<value>\n"`, where length counts the whole record.
    func paxRecords(_ data: ArraySlice<UInt8>, offset: Int) throws -> [String: String] {
        let bad = ArchiveError.malformedHeader(offset: offset, reason: "the pax header has a malformed record")
        var records: [String: String] = [:]
        var index = data.startIndex
        while index < data.endIndex {
            if data[index...].allSatisfy({ $0 == 0 }) { break }
            var length = 0
            var cursor = index
            while cursor < data.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[cursor]) {
                guard length < data.count else { throw bad }
                length = length * 10 + Int(data[cursor] - UInt8(ascii: "0"))
                cursor += 1
            }
            guard cursor > index, cursor < data.endIndex, data[cursor] == UInt8(ascii: " "),
                length > cursor - index + 1, length <= data.endIndex - index,
                data[index + length - 1] == UInt8(ascii: "\n")
            else { throw bad }
            let record = data[(cursor + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")),
                let key = String(validating: record[..<equals], as: UTF8.self)
            else { throw bad }
            let valueBytes = record[(equals + 1)...]
            if key == "path" || key == "linkpath" || key == "size" {
                guard let value = String(validating: valueBytes, as: UTF8.self) else { throw bad }
                records[key] = value
            }
            index += length
        }
        return records
    }
}
