import Autograd
import GlimpsePictures
import Imaging
import RecurrentAttention
import Testing

/// Glimpse pictures that read at a glance: by default the path (numbered dots joined by a
/// line) and each glimpse's finest patch; the coarser scales only for the glimpse an animation
/// frame is taking, or for all with `.all`. A hand-built example: one black 50x50 image
/// (drawn 4 times as large, 8 px in), two glimpses of 6x6 at 3 scales, at (-0.5, -0.5) and
/// (0.5, 0.5), whose centres are drawn at (50, 50) and (150, 150).
@Suite struct GlimpseDrawingTests {
    static let sensor = GlimpseSensor(patchSize: 6, scales: 3)
    static let locations: [[Float]] = [[-0.5, -0.5], [0.5, 0.5]]

    func drawing(_ scales: GlimpseDrawing.Scales = .path) -> GlimpseDrawing {
        GlimpseDrawing(
            sensor: Self.sensor, images: .zeros([1, 50, 50]), labels: [3], locations: Self.locations,
            predictions: [3], scales: scales)
    }

    let first = GlimpseDrawing.color(0, of: 2), second = GlimpseDrawing.color(1, of: 2)

    /// A point on the top edge of glimpse `t`'s box at `scale`, three quarters along, in the picture.
    func topEdge(glimpse t: Int, scale: Int) -> (x: Int, y: Int) {
        let (x, y) = (Self.locations[t][0], Self.locations[t][1])
        let w = Self.sensor.window(x: x, y: y, scale: scale, height: 50, width: 50)
        return (8 + 4 * (w.column + w.size * 3 / 4), 8 + 4 * w.row)
    }

    func color(_ image: Image, _ point: (x: Int, y: Int)) -> Color { image[point.x, point.y] }

    @Test func theStillShowsThePathAndTheFinestPatchesOnly() {
        let still = drawing().frame(showing: 2)
        // The line from the first centre to the second, in the second glimpse's colour, away
        // from the boxes and dots at its ends.
        #expect((70..<130).filter { still[8 + $0, 8 + $0] == second }.count == 60)
        #expect(still[8 + 50, 8 + 50] == first && still[8 + 150, 8 + 150] == second)  // the dots
        #expect(color(still, topEdge(glimpse: 0, scale: 0)) == first)
        #expect(color(still, topEdge(glimpse: 1, scale: 0)) == second)
        for t in 0..<2 {
            for scale in 1..<3 { #expect(color(still, topEdge(glimpse: t, scale: scale)) == .black, "\(t), \(scale)") }
        }
    }

    @Test func anAnimationFrameAddsTheCoarserScalesOfTheGlimpseItTakes() {
        let (frames, delays) = drawing().animation()
        #expect(frames.count == 3 && delays == [700, 700, 2000])  // one frame a glimpse, then the still held
        #expect(color(frames[0], topEdge(glimpse: 0, scale: 2)) == first)
        #expect(color(frames[1], topEdge(glimpse: 0, scale: 2)) == .black)
        #expect(color(frames[1], topEdge(glimpse: 1, scale: 1)) == second)
        #expect(color(frames[1], topEdge(glimpse: 1, scale: 2)) == second)
        #expect(frames[2].pixels == drawing().frame(showing: 2).pixels)
    }

    @Test func allScalesDrawsEveryBoxOfEveryGlimpse() {
        let still = drawing(.all).frame(showing: 2)
        for t in 0..<2 {
            for scale in 0..<3 {
                #expect(color(still, topEdge(glimpse: t, scale: scale)) == (t == 0 ? first : second), "\(t), \(scale)")
            }
        }
        #expect(drawing(.all).animation().frames.count == 2)
    }
}
