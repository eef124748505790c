import Foundation
import RecurrentAttention
import Testing

/// `--final-location-std`: the policy narrows linearly from the start to the final deviation,
/// sampling after training uses the final one, and configurations saved before it existed
/// keep a fixed deviation.
@Suite struct LocationScheduleTests {
    @Test func theDeviationNarrowsLinearly() {
        var c = RAMConfiguration(imageHeight: 28, imageWidth: 28)
        c.locationStandardDeviation = 0.2
        #expect(c.locationStandardDeviation(atProgress: 0.5) == 0.2, "no schedule: fixed")
        c.finalLocationStandardDeviation = 0.05
        #expect(c.locationStandardDeviation(atProgress: 0) == 0.2)
        #expect(abs(c.locationStandardDeviation(atProgress: 0.5) - 0.125) < 1e-7)
        #expect(abs(c.locationStandardDeviation(atProgress: 1) - 0.05) < 1e-7)
        #expect(abs(c.locationStandardDeviation(atProgress: 2) - 0.05) < 1e-7, "clamped past the end")
        #expect(
            RecurrentAttentionModel(c, seed: 1).locationStandardDeviation == 0.05,
            "a built model samples with the final one")
    }

    @Test func configurationsWithoutTheFieldKeepAFixedDeviation() throws {
        var c = RAMConfiguration(imageHeight: 28, imageWidth: 28)
        c.locationStandardDeviation = 0.1
        let old = try JSONEncoder().encode(c)
        #expect(!String(decoding: old, as: UTF8.self).contains("finalLocationStandardDeviation"), "nil is not written")
        let decoded = try JSONDecoder().decode(RAMConfiguration.self, from: old)
        #expect(decoded.finalLocationStandardDeviation == nil && decoded == c)
        c.finalLocationStandardDeviation = 0.03
        #expect(try JSONDecoder().decode(RAMConfiguration.self, from: JSONEncoder().encode(c)) == c)
    }
}
