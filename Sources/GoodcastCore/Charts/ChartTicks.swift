/// "Nice" ticks for a Y axis from 0: steps of 1, 2 or 5 times a power of ten, 3 to 5 intervals
/// (4 to 6 ticks), the last at or above the largest value. Integer maths only.
///
/// Steps never go below 1, so a largest value of 1 or 2 gives only 2 or 3 ticks; 0 (or
/// negative) gives `[0, 1]`. Near `Int64.max`, where the next tick would overflow, the last
/// tick is the largest multiple of the step that fits, below the largest value.
public enum ChartTicks {
    static let maxIntervals: Int64 = 5

    public static func ticks(upTo largest: Int64) -> [Int64] {
        guard largest > 0 else { return [0, 1] }
        let step = step(for: largest)
        var count = intervals(largest, step)
        if step.multipliedReportingOverflow(by: count).overflow { count -= 1 }
        return (0...count).map { $0 * step }
    }

    /// The smallest 1-2-5 step that covers `largest` in at most `maxIntervals` intervals.
    /// As the step before it needed more than 5, this one needs at least 3 (when above 1).
    static func step(for largest: Int64) -> Int64 {
        var magnitude: Int64 = 1
        while true {
            for mantissa: Int64 in [1, 2, 5] {
                let (step, overflow) = magnitude.multipliedReportingOverflow(by: mantissa)
                if overflow || intervals(largest, step) <= maxIntervals { return overflow ? magnitude : step }
            }
            let (next, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return magnitude * 5 }
            magnitude = next
        }
    }

    /// ⌈largest / step⌉ without the overflow of `largest + step - 1`.
    private static func intervals(_ largest: Int64, _ step: Int64) -> Int64 {
        largest / step + (largest % step == 0 ? 0 : 1)
    }
}
