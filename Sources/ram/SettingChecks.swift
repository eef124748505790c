import Catch
import Datasets
import RecurrentAttention
import Training

/// Range checks on settings read back from a checkpoint's metadata, which may have been
/// edited or damaged: every field out of range is named, so a bad file fails with one line
/// instead of a trap deep inside a model.
struct SettingChecks {
    private(set) var problems: [String] = []

    /// Notes `field` when `value` is outside `range` (NaN is outside every range).
    mutating func check<T: Comparable>(_ field: String, _ value: T, in range: ClosedRange<T>) {
        if !range.contains(value) {
            problems.append("\(field) is \(value), outside \(range.lowerBound)...\(range.upperBound)")
        }
    }

    mutating func fail(_ problem: String) { problems.append(problem) }

    /// Throws one error naming `path` and every problem, if there is any.
    func throwIfAny(in path: String) throws {
        guard !problems.isEmpty else { return }
        throw CommandFailure(description: "\(path): metadata out of range: " + problems.joined(separator: "; "))
    }
}

// The ranges are the command line's, so anything `ram train` can write reads back.
extension ModelSpecification {
    func check(_ checks: inout SettingChecks) {
        guard let task = DatasetTask(name: task) else {
            checks.fail(
                "specification.task '\(task)' is not one of \(DatasetTask.named.map(\.name).joined(separator: ", "))")
            return
        }
        let side = task.layout.map { $0.size...$0.size } ?? 1...1024
        checks.check("specification.ram.imageHeight", ram.imageHeight, in: side)
        checks.check("specification.ram.imageWidth", ram.imageWidth, in: side)
        checks.check("specification.ram.classes", ram.classes, in: 2...1000)
        checks.check("specification.seed", seed, in: 0...UInt64(Int.max))
        switch kind {
        case .ram:
            for problem in ram.problems(prefix: "specification.ram.") { checks.fail(problem) }
        case .fc:
            checks.check("specification.hiddenSize", hiddenSize, in: 1...4096)
        case .conv:
            checks.check("specification.hiddenSize", hiddenSize, in: 1...4096)
            checks.check("specification.filters", filters, in: 1...256)
            // One 10x10 stride-5 filter needs at least 10 pixels each way.
            checks.check("specification.ram.imageHeight", ram.imageHeight, in: 10...1024)
            checks.check("specification.ram.imageWidth", ram.imageWidth, in: 10...1024)
        }
    }
}

extension TrainingOptions {
    func check(_ checks: inout SettingChecks) {
        checks.check("options.learningRate", learningRate, in: 1e-8...10)
        checks.check("options.momentum", momentum, in: 0...0.999)
        checks.check("options.batchSize", batchSize, in: 1...4096)
        checks.check("options.epochs", epochs, in: 1...100_000)
        checks.check("options.gradientClip", gradientClip, in: 0...1e6)
        checks.check("options.weightDecay", weightDecay, in: 0...1)
    }
}

extension CatchAgentConfiguration {
    func check(_ checks: inout SettingChecks) {
        checks.check("catch_agent.patchSize", patchSize, in: 1...24)
        checks.check("catch_agent.scales", scales, in: 1...8)
        checks.check("catch_agent.locationStandardDeviation", locationStandardDeviation, in: 1e-4...2)
        for (field, value) in [
            ("glimpseHidden", glimpseHidden), ("locationHidden", locationHidden),
            ("glimpseSize", glimpseSize), ("coreSize", coreSize),
        ] {
            checks.check("catch_agent.\(field)", value, in: 1...4096)
        }
    }
}

extension CatchTrainingOptions {
    func check(_ checks: inout SettingChecks) {
        checks.check("options.learningRate", learningRate, in: 1e-8...10)
        checks.check("options.batchSize", batchSize, in: 1...4096)
        checks.check("options.frames", frames, in: 1...10_000_000_000)
        checks.check("options.entropyWeight", entropyWeight, in: 0...10)
        checks.check("options.gradientClip", gradientClip, in: 0...1e6)
        checks.check("options.validationInterval", validationInterval, in: 1...10_000_000_000)
    }
}
