import Foundation
import RecurrentAttention

/// How the command line prints what the library measures.
enum Evaluation {
    /// One line: how far glimpses 2...T land from the digit, and how often they see its ink.
    static func describe(_ d: (learned: GlimpseDiagnostic, random: GlimpseDiagnostic)) -> String {
        String(format: "glimpses 2-%d: %.1f px from the digit (random %.1f), ink in %.0f%% of finest patches (random %.0f%%)",
               d.learned.distanceSums.count, d.learned.meanDistance, d.random.meanDistance,
               100 * d.learned.inkFraction, 100 * d.random.inkFraction)
    }

    /// The learned policy's figures glimpse by glimpse (random glimpses are alike at every
    /// step): whether the policy finds the digit early and then loses it is invisible in the
    /// mean over glimpses.
    static func describeEachGlimpse(_ learned: GlimpseDiagnostic) -> String {
        let glimpses = (1..<learned.distanceSums.count).map { t in
            String(format: "%d: %.1f px, ink %.0f%%", t + 1, learned.meanDistance(ofGlimpse: t), 100 * learned.inkFraction(ofGlimpse: t))
        }
        return "glimpse by glimpse: " + glimpses.joined(separator: "; ")
    }
}
