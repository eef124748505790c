import Foundation
import RecurrentAttention
import Training

/// How the command line prints what the library measures.
enum Evaluation {
    /// One line: how far glimpses 2...T land from the digit, and how often they see its ink.
    static func describe(_ d: (learned: GlimpseDiagnostic, random: GlimpseDiagnostic)) -> String {
        describeGlimpses(
            glimpses: d.learned.distanceSums.count, distance: d.learned.meanDistance,
            randomDistance: d.random.meanDistance, ink: d.learned.inkFraction,
            randomInk: d.random.inkFraction)
    }

    /// The same line from an epoch's record, when it holds the figures.
    static func describeGlimpses(_ record: EpochRecord, glimpses: Int) -> String? {
        guard let distance = record["glimpse_distance"], let randomDistance = record["random_glimpse_distance"],
            let ink = record["glimpse_ink"], let randomInk = record["random_glimpse_ink"]
        else { return nil }
        return describeGlimpses(
            glimpses: glimpses, distance: distance, randomDistance: randomDistance, ink: ink,
            randomInk: randomInk)
    }

    private static func describeGlimpses(
        glimpses: Int, distance: Double, randomDistance: Double, ink: Double,
        randomInk: Double
    ) -> String {
        String(
            format: "glimpses 2-%d: %.1f px from the digit (random %.1f), ink in %.0f%% of finest patches "
                + "(random %.0f%%)", glimpses, distance, randomDistance, 100 * ink, 100 * randomInk)
    }

    /// The learned policy's figures glimpse by glimpse (random glimpses are alike at every
    /// step): whether the policy finds the digit early and then loses it is invisible in the
    /// mean over glimpses.
    static func describeEachGlimpse(_ learned: GlimpseDiagnostic) -> String {
        let glimpses = (1..<learned.distanceSums.count).map { t in
            String(
                format: "%d: %.1f px, ink %.0f%%", t + 1, learned.meanDistance(ofGlimpse: t),
                100 * learned.inkFraction(ofGlimpse: t))
        }
        return "glimpse by glimpse: " + glimpses.joined(separator: "; ")
    }
}
