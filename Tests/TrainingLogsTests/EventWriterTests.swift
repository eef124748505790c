import Foundation
import Testing
import TrainingLogs

/// An independent reader of TFRecord files of Event protocol buffers, written from the
/// format's documentation: it shares no code with the writer.
private enum EventFileReader {
    /// CRC-32C bit by bit (the writer uses a table), masked as TFRecord does.
    static func maskedCRC(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0x82F6_3B78 & (0 &- (crc & 1))) }
        }
        crc = ~crc
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    static func little<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, as _: T.Type) -> T {
        bytes.reversed().reduce(T(0)) { $0 << 8 | T($1) }
    }

    /// The records' payloads, checking both CRCs of each; `partial` is what follows the last whole record.
    static func records(_ file: [UInt8]) -> (payloads: [[UInt8]], badCRCs: Int, partial: Int) {
        var payloads: [[UInt8]] = []
        var bad = 0
        var at = 0
        while at + 12 <= file.count {
            let lengthBytes = file[at..<(at + 8)]
            let length = Int(little(lengthBytes, as: UInt64.self))
            guard at + 16 + length <= file.count else { break }
            if little(file[(at + 8)..<(at + 12)], as: UInt32.self) != maskedCRC(lengthBytes) { bad += 1 }
            let data = file[(at + 12)..<(at + 12 + length)]
            if little(file[(at + 12 + length)..<(at + 16 + length)], as: UInt32.self) != maskedCRC(data) { bad += 1 }
            payloads.append(Array(data))
            at += 16 + length
        }
        return (payloads, bad, file.count - at)
    }

    enum Field: Equatable {
        case varint(UInt64), fixed64(UInt64), fixed32(UInt32), bytes([UInt8])
    }

    /// A message's fields in order, as (number, value).
    static func fields(_ message: [UInt8]) -> [(Int, Field)] {
        var result: [(Int, Field)] = []
        var at = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = message[at]
                at += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while at < message.count {
            let key = varint()
            switch key & 7 {
            case 0: result.append((Int(key >> 3), .varint(varint())))
            case 1:
                result.append((Int(key >> 3), .fixed64(little(message[at..<(at + 8)], as: UInt64.self))))
                at += 8
            case 5:
                result.append((Int(key >> 3), .fixed32(little(message[at..<(at + 4)], as: UInt32.self))))
                at += 4
            case 2:
                let n = Int(varint())
                result.append((Int(key >> 3), .bytes(Array(message[at..<(at + n)]))))
                at += n
            default:
                Issue.record("wire type \(key & 7)")
                return result
            }
        }
        return result
    }

    static func field(_ number: Int, of message: [UInt8]) -> Field? { fields(message).first { $0.0 == number }?.1 }

    static func bytes(_ number: Int, of message: [UInt8]) -> [UInt8]? {
        if case .bytes(let b)? = field(number, of: message) { return b }
        return nil
    }

    static func string(_ number: Int, of message: [UInt8]) -> String? {
        bytes(number, of: message).map { String(decoding: $0, as: UTF8.self) }
    }

    static func varint(_ number: Int, of message: [UInt8]) -> UInt64? {
        if case .varint(let v)? = field(number, of: message) { return v }
        return nil
    }
}

@Suite struct EventWriterTests {
    let directory = NSTemporaryDirectory() + "events-" + UUID().uuidString

    @Test func scalarsImagesAndTextReadBackWithValidCRCs() throws {
        let events = try EventWriter(directory: directory)
        try events.scalar("validation/error", 0.0112, step: 12)
        try events.scalar("train/loss", -3.5, step: 300)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        try events.image("glimpses", png: png, width: 480, height: 240, step: 12)
        try events.text("settings", "**lr** 3e-4", step: 0)

        let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: events.path)))
        #expect(URL(fileURLWithPath: events.path).lastPathComponent.hasPrefix("events.out.tfevents."))
        let (payloads, bad, partial) = EventFileReader.records(file)
        #expect(payloads.count == 5 && bad == 0 && partial == 0)
        typealias R = EventFileReader
        // Every event has a wall time (field 1, a double) near now.
        for payload in payloads {
            guard case .fixed64(let bits)? = R.field(1, of: payload) else {
                Issue.record("no wall time")
                continue
            }
            #expect(abs(Double(bitPattern: bits) - Date().timeIntervalSince1970) < 60)
        }
        #expect(R.string(3, of: payloads[0]) == "brain.Event:2")

        func value(_ event: [UInt8]) -> [UInt8] { R.bytes(1, of: R.bytes(5, of: event) ?? []) ?? [] }
        #expect(R.varint(2, of: payloads[1]) == 12)
        #expect(R.string(1, of: value(payloads[1])) == "validation/error")
        #expect(R.field(2, of: value(payloads[1])) == .fixed32(Float(0.0112).bitPattern))
        #expect(R.varint(2, of: payloads[2]) == 300)
        #expect(R.field(2, of: value(payloads[2])) == .fixed32(Float(-3.5).bitPattern))

        let image = R.bytes(4, of: value(payloads[3])) ?? []
        #expect((R.varint(1, of: image), R.varint(2, of: image), R.varint(3, of: image)) == (240, 480, 3))
        #expect(R.bytes(4, of: image) == png)

        let text = value(payloads[4])
        #expect(R.string(1, of: R.bytes(1, of: R.bytes(9, of: text) ?? []) ?? []) == "text")
        let tensor = R.bytes(8, of: text) ?? []
        #expect(R.varint(1, of: tensor) == 7 && R.string(8, of: tensor) == "**lr** 3e-4")
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aCutFileKeepsItsWholeRecordsAndANewWriterStartsItsOwnFile() throws {
        let first = try EventWriter(directory: directory)
        try first.scalar("a", 1, step: 1)
        try first.scalar("a", 2, step: 2)
        // A kill in the middle of the last record.
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: first.path)))
        try Data(whole.dropLast(7)).write(to: URL(fileURLWithPath: first.path))
        let (payloads, bad, partial) = EventFileReader.records(
            [UInt8](try Data(contentsOf: URL(fileURLWithPath: first.path))))
        #expect(payloads.count == 2 && bad == 0 && partial > 0)

        let second = try EventWriter(directory: directory)
        #expect(second.path != first.path)
        try second.scalar("a", 3, step: 3)
        #expect(
            EventFileReader.records([UInt8](try Data(contentsOf: URL(fileURLWithPath: second.path)))).payloads.count
                == 2)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct MetricsTableTests {
    @Test func rowsBecomeCSVWithEmptyCellsForMissingFigures() throws {
        var table = MetricsTable(columns: ["epoch", "validation_error", "glimpse_ink"])
        table.append([1, 0.5, nil])
        table.append([2, 0.25, 0.75])
        #expect(table.csv == "epoch,validation_error,glimpse_ink\n1,0.5,\n2,0.25,0.75\n")
        let path = NSTemporaryDirectory() + "metrics-\(UUID().uuidString).csv"
        try table.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == table.csv)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Whether `python3` can import TensorBoard's own reader (`pip install tensorboard`).
private let tensorBoardIsInstalled: Bool = {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import tensorboard.backend.event_processing.event_accumulator"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
}()

@Suite struct TensorBoardReadsTheFiles {
    @Test(
        "TensorBoard's EventAccumulator reads the scalars, image and text",
        .enabled(
            if: tensorBoardIsInstalled,
            "skipped: Python's tensorboard package is not installed (pip install tensorboard)"))
    func eventAccumulator() throws {
        let directory = NSTemporaryDirectory() + "tensorboard-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = try EventWriter(directory: directory)
        try events.scalar("error/validation", 0.25, step: 1)
        try events.scalar("error/validation", 0.125, step: 2)
        try events.image("glimpses", png: [0x89, 0x50, 0x4E, 0x47], width: 3, height: 2, step: 2)
        try events.text("settings", "lr 3e-4", step: 0)
        let script = """
            from tensorboard.backend.event_processing import event_accumulator as ea
            sizes = {ea.TENSORS: 0, ea.IMAGES: 0, ea.SCALARS: 0}
            acc = ea.EventAccumulator('\(directory)', size_guidance=sizes); acc.Reload()
            print([(s.step, s.value) for s in acc.Scalars('error/validation')])
            image = acc.Images('glimpses')[0]
            print(image.step, image.width, image.height, list(image.encoded_image_string))
            text = acc.Tensors('settings')[0]; print(text.step, text.tensor_proto.string_val[0].decode())
            """
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script]
        let output = Pipe()
        python.standardOutput = output
        python.standardError = FileHandle.nullDevice
        try python.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        #expect(text == "[(1, 0.25), (2, 0.125)]\n2 3 2 [137, 80, 78, 71]\n0 lr 3e-4\n", "\(text)")
    }
}
