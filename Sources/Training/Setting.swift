/// One hyperparameter of a configuration, declared once: from this come its command-line flag
/// and help, its range check (for flags and for values read back from a checkpoint), its key
/// in saved JSON and the value older checkpoints meant by its absence, the comparison a
/// resumed run makes, and its part of a one-line summary.
///
/// ```swift
/// Setting("samples-per-image", \.samplesPerImage, in: 1...64, help: "Runs of each image in training.",
///         before: 1, summary: { $0 > 1 ? "\($0) samples per image" : nil })
/// ```
public struct Setting<Root> {
    /// The flag's name without dashes, and the key the value is saved under.
    public let flag: String, key: String
    /// The flag's help; nil for a setting with no flag (set by code, saved all the same).
    public let help: String?
    /// The key an older checkpoint saved the value under, read when `key` is absent.
    public var formerKey: String?
    let kind: Kind
    /// The setting's words in a one-line summary of the configuration, where it has any.
    var describe: ((Root) -> String?)?

    enum Kind {
        case integer(WritableKeyPath<Root, Int>, ClosedRange<Int>, before: Int?)
        case number(WritableKeyPath<Root, Double>, ClosedRange<Double>, before: Double?)
        case float(WritableKeyPath<Root, Float>, ClosedRange<Float>, before: Float?)
        case optionalFloat(WritableKeyPath<Root, Float?>, ClosedRange<Float>)
        /// `words`: the flag is written as a choice of two words (on, off) rather than present or not.
        case flag(WritableKeyPath<Root, Bool>, before: Bool?, words: (on: String, off: String)?)
        /// A `String`-backed enum, read and written through its raw value.
        case choice(get: (Root) -> String, set: (inout Root, String) -> Void, [String], before: String?)
    }

    /// A whole number in `range`; `before` is what checkpoints written before it existed meant.
    public init(
        _ flag: String, _ path: WritableKeyPath<Root, Int>, in range: ClosedRange<Int>, help: String?,
        key: String? = nil, before: Int? = nil, summary: ((Int) -> String?)? = nil
    ) {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .integer(path, range, before: before)
        describe = summary.map { words in { words($0[keyPath: path]) } }
    }

    public init(
        _ flag: String, _ path: WritableKeyPath<Root, Double>, in range: ClosedRange<Double>, help: String?,
        key: String? = nil, before: Double? = nil, summary: ((Double) -> String?)? = nil
    ) {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .number(path, range, before: before)
        describe = summary.map { words in { words($0[keyPath: path]) } }
    }

    public init(
        _ flag: String, _ path: WritableKeyPath<Root, Float>, in range: ClosedRange<Float>, help: String?,
        key: String? = nil, before: Float? = nil, summary: ((Float) -> String?)? = nil
    ) {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .float(path, range, before: before)
        describe = summary.map { words in { words($0[keyPath: path]) } }
    }

    /// A value that may be absent (absent before it existed, too).
    public init(
        _ flag: String, _ path: WritableKeyPath<Root, Float?>, in range: ClosedRange<Float>, help: String?,
        key: String? = nil, summary: ((Float) -> String?)? = nil
    ) {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .optionalFloat(path, range)
        describe = summary.map { words in { $0[keyPath: path].flatMap(words) } }
    }

    /// On or off; `summary` is the summary's words when it is on. With `words`, the flag is
    /// written as one of two words, the first for on.
    public init(
        _ flag: String, _ path: WritableKeyPath<Root, Bool>, help: String?, key: String? = nil,
        before: Bool? = nil, summary: String? = nil, words: (on: String, off: String)? = nil
    ) {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .flag(path, before: before, words: words)
        describe = summary.map { words in { $0[keyPath: path] ? words : nil } }
    }

    /// One of an enum's cases, by raw value.
    public init<Choice: RawRepresentable & CaseIterable>(
        _ flag: String, _ path: WritableKeyPath<Root, Choice>,
        help: String?, key: String? = nil, before: Choice? = nil
    )
    where Choice.RawValue == String {
        (self.flag, self.key, self.help) = (flag, key ?? Self.key(flag), help)
        kind = .choice(
            get: { $0[keyPath: path].rawValue },
            set: { root, text in Choice(rawValue: text).map { root[keyPath: path] = $0 } },
            Choice.allCases.map(\.rawValue), before: before?.rawValue)
        describe = nil
    }

    /// The choices a flag's value may take, nil for a number or a plain flag.
    public var choices: [String]? {
        switch kind {
        case .choice(_, _, let choices, _): choices
        case .flag(_, _, let words): words.map { [$0.on, $0.off] }
        default: nil
        }
    }

    /// `samples-per-image` as `samplesPerImage`.
    static func key(_ flag: String) -> String {
        let words = flag.split(separator: "-")
        return words.enumerated().map { $0 == 0 ? String($1) : $1.prefix(1).uppercased() + $1.dropFirst() }.joined()
    }

    /// The value in `root` as text (`none` for an absent one, `on`/`off` for a flag).
    public func text(of root: Root) -> String {
        switch kind {
        case .integer(let path, _, _): "\(root[keyPath: path])"
        case .number(let path, _, _): "\(root[keyPath: path])"
        case .float(let path, _, _): "\(root[keyPath: path])"
        case .optionalFloat(let path, _): root[keyPath: path].map { "\($0)" } ?? "none"
        case .flag(let path, _, let words): root[keyPath: path] ? words?.on ?? "on" : words?.off ?? "off"
        case .choice(let get, _, _, _): get(root)
        }
    }

    /// The problem with the value in `root`, or nil when it is in range.
    public func problem(in root: Root) -> String? {
        func outside<T: Comparable>(_ value: T, _ range: ClosedRange<T>) -> String? {
            range.contains(value) ? nil : "\(key) is \(value), outside \(range.lowerBound)...\(range.upperBound)"
        }
        switch kind {
        case .integer(let path, let range, _): return outside(root[keyPath: path], range)
        case .number(let path, let range, _): return outside(root[keyPath: path], range)
        case .float(let path, let range, _): return outside(root[keyPath: path], range)
        case .optionalFloat(let path, let range): return root[keyPath: path].flatMap { outside($0, range) }
        case .flag, .choice: return nil  // read back typed: a value not among them fails to decode
        }
    }

    /// Sets the value from a flag's text (already checked against the flag's range or
    /// choices); a plain flag's text is `on` or `off`.
    public func set(_ text: String, in root: inout Root) {
        switch kind {
        case .integer(let path, _, _): root[keyPath: path] = Int(text)!
        case .number(let path, _, _): root[keyPath: path] = Double(text)!
        case .float(let path, _, _): root[keyPath: path] = Float(Double(text)!)
        case .optionalFloat(let path, _): root[keyPath: path] = Float(Double(text)!)
        case .flag(let path, _, let words): root[keyPath: path] = text == (words?.on ?? "on")
        case .choice(_, let set, _, _): set(&root, text)
        }
    }

    /// The range a number's flag accepts, nil for a flag or a choice.
    public var range: ClosedRange<Double>? {
        switch kind {
        case .integer(_, let r, _): Double(r.lowerBound)...Double(r.upperBound)
        case .number(_, let r, _): r
        case .float(_, let r, _), .optionalFloat(_, let r): Double(r.lowerBound)...Double(r.upperBound)
        default: nil
        }
    }

    /// Whether the value is a whole number.
    public var isInteger: Bool { if case .integer = kind { true } else { false } }

    /// Whether it is a plain flag, present or not.
    public var isFlag: Bool { if case .flag(_, _, nil) = kind { true } else { false } }

    /// The summary's words for the value in `root`, if it has any.
    public func summary(of root: Root) -> String? { describe?(root) }
}

/// A configuration made of declared settings: its JSON is one key per setting, and a
/// checkpoint written before a setting existed reads back with the value the setting says it
/// meant then.
public protocol Configurable: Codable {
    static var settings: [Setting<Self>] { get }
    /// What decoding starts from before every setting is read into it.
    static var blank: Self { get }
}

/// Any key of a configuration's JSON.
public struct SettingKey: CodingKey {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension Configurable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: SettingKey.self)
        self = Self.blank
        for setting in Self.settings { try setting.decode(from: c, into: &self) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: SettingKey.self)
        for setting in Self.settings { try setting.encode(self, into: &c) }
    }

    /// Every setting out of range in `self`, each named with `prefix`.
    public func problems(prefix: String) -> [String] {
        Self.settings.compactMap { $0.problem(in: self) }.map { prefix + $0 }
    }

    /// The settings' summary words, in order, joined by commas.
    public var settingsSummary: String { Self.settings.compactMap { $0.summary(of: self) }.joined(separator: ", ") }
}

extension Setting {
    /// Reads the setting from `c` into `root`: absent, it takes the value it meant before it
    /// existed; a setting that always existed is required.
    func decode(from c: KeyedDecodingContainer<SettingKey>, into root: inout Root) throws {
        let k = SettingKey(stringValue: c.contains(SettingKey(stringValue: key)) ? key : formerKey ?? key)
        func read<T: Decodable>(_ path: WritableKeyPath<Root, T>, before: T?) throws {
            guard let value = try c.decodeIfPresent(T.self, forKey: k) ?? before else {
                throw DecodingError.keyNotFound(k, .init(codingPath: c.codingPath, debugDescription: "no \(key)"))
            }
            root[keyPath: path] = value
        }
        switch kind {
        case .integer(let path, _, let before): try read(path, before: before)
        case .number(let path, _, let before): try read(path, before: before)
        case .float(let path, _, let before): try read(path, before: before)
        case .optionalFloat(let path, _): root[keyPath: path] = try c.decodeIfPresent(Float.self, forKey: k)
        case .flag(let path, let before, _): try read(path, before: before)
        case .choice(_, let set, let choices, let before):
            let text = try c.decodeIfPresent(String.self, forKey: k) ?? before
            guard let text, choices.contains(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: k, in: c,
                    debugDescription:
                        "\(key) is \(text.map { "'\($0)'" } ?? "missing"), not one of "
                        + "\(choices.joined(separator: ", "))"
                )
            }
            set(&root, text)
        }
    }

    /// The same setting, with summary words that may read the rest of the configuration.
    public func summarized(_ words: @escaping (Root) -> String?) -> Setting {
        var setting = self
        setting.describe = words
        return setting
    }

    /// The same setting, read from `former` in checkpoints that saved it there.
    public func formerly(_ former: String) -> Setting {
        var setting = self
        setting.formerKey = former
        return setting
    }

    func encode(_ root: Root, into c: inout KeyedEncodingContainer<SettingKey>) throws {
        let k = SettingKey(stringValue: key)
        switch kind {
        case .integer(let path, _, _): try c.encode(root[keyPath: path], forKey: k)
        case .number(let path, _, _): try c.encode(root[keyPath: path], forKey: k)
        case .float(let path, _, _): try c.encode(root[keyPath: path], forKey: k)
        case .optionalFloat(let path, _): try c.encodeIfPresent(root[keyPath: path], forKey: k)
        case .flag(let path, _, _): try c.encode(root[keyPath: path], forKey: k)
        case .choice(let get, _, _, _): try c.encode(get(root), forKey: k)
        }
    }
}
