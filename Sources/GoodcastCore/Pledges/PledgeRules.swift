import Foundation

/// When a video counts for a per-video pledge, and how much it accrues. The settings are the
/// platform's defaults; each has a reason: new accounts and floods of videos are how a pledge
/// would be farmed, and a grace period lets moderation remove a video before its money settles.
public struct PledgeRules: Sendable, Equatable {
    /// An account younger than this at posting time does not count.
    public var minimumAccountAge: TimeInterval = 7 * 86_400
    /// Videos counted per creator per UTC day; later ones that day do not count.
    public var perCreatorPerDay = 3
    /// A video removed within this time after posting gives its accrual back to the budget.
    public var removalGrace: TimeInterval = 48 * 3600

    public init() {}

    public enum Verdict: Equatable, Sendable {
        case counts
        case outsideWindow
        case accountTooNew
        case dailyLimitReached
        case budgetSpent
    }

    /// Whether a video posted at `postedAt` counts, given the creator's videos already counted
    /// for this pledge on the same UTC day and what is left of the budget.
    public func verdict(postedAt: Date, window: ClosedRange<Date>, accountCreatedAt: Date,
                        countedSameDay: Int, remaining: Money) -> Verdict {
        guard window.contains(postedAt) else { return .outsideWindow }
        guard postedAt.timeIntervalSince(accountCreatedAt) >= minimumAccountAge else { return .accountTooNew }
        guard countedSameDay < perCreatorPerDay else { return .dailyLimitReached }
        guard remaining.isPositive else { return .budgetSpent }
        return .counts
    }

    /// The UTC day a video's posting falls on, for the per-creator limit.
    public static func day(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    /// What a counted video accrues: the per-video amount, or the last of the budget if less
    /// is left, so that accruals add up to the budget exactly and never beyond it.
    public static func accrual(perVideo: Money, remaining: Money) -> Money {
        Money(max(0, min(perVideo.amount, remaining.amount)), perVideo.currency)
    }

    /// Whether a removal at `removedAt` still reverses the video's accrual: within the grace
    /// period and before the pledge settled.
    public func reversesAccrual(postedAt: Date, removedAt: Date, settled: Bool) -> Bool {
        !settled && removedAt.timeIntervalSince(postedAt) <= removalGrace
    }
}
