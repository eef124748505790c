/// Settings a trainer cannot run with, named in the description.
public struct TrainingSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) { self.description = description }
}
