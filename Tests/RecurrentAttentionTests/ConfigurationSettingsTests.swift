import Foundation
import NeuralNetworks
import RecurrentAttention
import Testing
import Training

/// RAM's settings are declared once (`RAMConfiguration.settings`): the JSON, what older
/// checkpoints meant, the range checks and the summary all follow from that table.
struct ConfigurationSettingsTests {
    func decode(_ json: String) throws -> RAMConfiguration {
        try JSONDecoder().decode(RAMConfiguration.self, from: Data(json.utf8))
    }

    @Test func aConfigurationRoundTripsThroughItsJSON() throws {
        var c = RAMRecipe(for: .cluttered60).configuration
        (c.glimpses, c.finalLocationStandardDeviation, c.samplesPerImage, c.core) = (8, 0.05, 4, .lstm)
        let json = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(RAMConfiguration.self, from: json) == c)
        // One key per setting, under the names checkpoints have always used.
        let keys = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any]).keys
        #expect(Set(keys) == Set(RAMConfiguration.settings.map(\.key)))
        #expect(keys.contains("locationStandardDeviation") && keys.contains("randomFirstGlimpse"))
    }

    @Test func theFirstCheckpointsFieldsReadBackWithWhatTheyMeant() throws {
        // A checkpoint from before the location mean, the hidden location layer, the random first
        // glimpse, narrowing, samples per image and the weight existed, with one flag for both routes.
        let first = try decode(
            #"{"imageHeight":28,"imageWidth":28,"classes":10,"glimpses":6,"patchSize":8,"scales":1,"#
                + #""glimpseHidden":128,"locationHidden":128,"glimpseSize":256,"coreSize":256,"core":"relu","#
                + #""locationStandardDeviation":0.17,"policyGradientReachesCore":true}"#)
        #expect(first.locationMean == .linear && first.locationNetworkHidden == 0 && !first.randomFirstGlimpse)
        #expect(first.locationTrainsCore && first.baselineTrainsCore)
        #expect(
            first.finalLocationStandardDeviation == nil && first.samplesPerImage == 1 && first.policyGradientWeight == 1
        )
        #expect(first.locationStandardDeviation == 0.17 && first.glimpses == 6)
        // A setting that always existed is required, and a choice must be one of its words.
        #expect(throws: DecodingError.self) { try decode(#"{"imageHeight":28}"#) }
        let json = try String(decoding: JSONEncoder().encode(RAMRecipe(for: .mnist).configuration), as: UTF8.self)
        #expect(throws: DecodingError.self) { try decode(json.replacingOccurrences(of: #""relu""#, with: #""gru""#)) }
    }

    @Test func everyCommittedModelsConfigurationReadsBack() throws {
        // `ram train` saves the configuration in every checkpoint, the comparison nets' too.
        struct Specification: Decodable { var ram: RAMConfiguration }
        let trained = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Models/Trained")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: trained.path).sorted()
            .map { (folder: $0, file: trained.appendingPathComponent("\($0)/best.safetensors")) }
            .filter { FileManager.default.fileExists(atPath: $0.file.path) }
            .map { (folder: $0.folder, checkpoint: try Checkpoint(contentsOf: $0.file)) }
            .filter { $0.checkpoint.metadata["specification"] != nil }
        #expect(checkpoints.count >= 8)
        for (folder, checkpoint) in checkpoints {
            let ram = try #require(checkpoint.json("specification", as: Specification.self)?.ram)
            // The glimpses the folder's name says: "-<n>glimpses", 8 for the random-glimpse nets, else 6.
            let named = folder.split(separator: "-").last.flatMap { Int($0.prefix { $0.isNumber }) }
            let expected = folder.hasSuffix("glimpses") ? named : folder.hasPrefix("random-") ? 8 : 6
            #expect(ram.problems(prefix: "").isEmpty && ram.glimpses == expected, "\(folder)")
        }
    }

    @Test func rangesAndTheSummaryComeFromTheTable() throws {
        var c = RAMRecipe(for: .translated).configuration
        #expect(c.problems(prefix: "ram.").isEmpty)
        (c.glimpses, c.locationStandardDeviation, c.finalLocationStandardDeviation) = (65, 3, 0)
        #expect(
            c.problems(prefix: "ram.") == [
                "ram.glimpses is 65, outside 1...64",
                "ram.locationStandardDeviation is 3.0, outside 0.0001...2.0",
                "ram.finalLocationStandardDeviation is 0.0, outside 0.0001...2.0",
            ])
        #expect(
            RAMRecipe(for: .translated).configuration.settingsSummary
                == "location net 256-128-2, random first glimpse in training, policy gradient into the core, "
                + "policy gradient weighted 0.3")
        #expect(
            RAMRecipe(for: .mnist).configuration.settingsSummary
                == "location net 256-128-2, random first glimpse in training")
    }
}
