// The allocation rule, as pure functions so that they can be table-tested.
//
// Demand-proportional with a reserve: member i of a side gets
//
//     share_i = budget × (d_i + r) / Σ_j (d_j + r),     r = reserveFraction × budget / members
//
// * Σ share_i = budget exactly, whatever the demands, so every node that runs the rule on the same
//   records hands out the budget once, never more.
// * Over-subscribed (Σ d ≥ budget): share_i ≈ budget × d_i / Σ d < d_i, so every node admits the same
//   fraction budget / Σ d of its arrivals: the fraction a single central bucket would admit, which is
//   what keeps per-node decisions close to the central oracle's (max-min fairness would instead fill
//   the small nodes first and reject the big nodes' clients more often than the oracle does).
// * Under-subscribed (Σ d < budget): share_i > d_i; the spare is lent in proportion to demand, and
//   r keeps a sliver for nodes with no demand yet, so a new client there is not refused outright.
//   The price of r: with all demand on one of n nodes and Σ d = 3 × budget, the n − 1 idle nodes hold
//   (n − 1) r / (3 budget + n r) of the budget, 0.3% for n = 10 and ρ = 0.01.
// * No share rounds to zero: shares are real numbers of tokens per second and each node's GCRA bucket
//   accrues fractional tokens in time, so a 1/s limit over 10 nodes is ten buckets of 0.1/s.

/// Which side of a (possible) partition this node is on, judged from the members it can see among
/// the last known members.
public enum SideMode: Equatable, Sendable {
    /// More than half of the known members are visible: the dead ones' shares go to the live ones.
    case majority
    /// Exactly half: no side can be a majority, so nobody takes over anything; keep our own shares.
    case half
    /// Fewer than half: the other side may be a majority that takes over our shares after its
    /// detection time, so we give them up too, down to a small slack.
    case minority

    public init(visible: Int, known: Int) {
        if 2 * visible > known {
            self = .majority
        } else if 2 * visible == known {
            self = .half
        } else {
            self = .minority
        }
    }
}

public enum Allocation {
    /// Shares of `budget` in proportion to `demand + reserve` (see the file's comment). Negative,
    /// NaN or infinite demands count as 0. The result has the same count as `demands`.
    public static func shares(budget: Double, demands: [Double], reserveFraction: Double) -> [Double] {
        guard !demands.isEmpty else { return [] }
        let b = budget.isFinite ? max(0, budget) : 0
        let r = max(0, reserveFraction.isFinite ? reserveFraction : 0) * b / Double(demands.count)
        var weights = demands.map { ($0.isFinite && $0 > 0 ? min($0, 1e15) : 0) + r }
        var total = weights.reduce(0, +)
        if total <= 0 {  // no demand and no reserve: even split
            weights = Array(repeating: 1, count: demands.count)
            total = Double(demands.count)
        }
        return weights.map { b * $0 / total }
    }

    /// The budget a side may hand out among its visible members.
    ///
    /// - `lastFractions`: the fraction of the budget each visible member held when this node last saw
    ///   a majority (missing members count 0).
    /// - In `.majority` the whole budget; in `.half` the sum of the visible members' last fractions;
    ///   in `.minority` that sum, but at most `slack × budget × visible / known`, so that all minority
    ///   sides together hold less than `slack × budget` while a majority elsewhere holds the budget.
    public static func sideBudget(
        budget: Double, mode: SideMode, lastFractions: [Double], visible: Int, known: Int, slack: Double
    ) -> Double {
        switch mode {
        case .majority:
            return budget
        case .half, .minority:
            let own = budget * min(1, max(0, lastFractions.reduce(0) { $0 + ($1.isFinite ? max(0, $1) : 0) }))
            guard mode == .minority else { return own }
            let cap = max(0, slack) * budget * Double(visible) / Double(max(1, known))
            return min(own, cap)
        }
    }

    /// The bucket capacity for a share: the same fraction of the global burst, but at least
    /// `minCapacity` tokens so that a small share still admits whole requests.
    public static func capacity(share: Double, budget: Double, burst: Double, minCapacity: Double) -> Double {
        guard budget > 0, share.isFinite, share > 0 else { return max(1, minCapacity) }
        return max(max(1, minCapacity), burst * min(1, share / budget))
    }
}
