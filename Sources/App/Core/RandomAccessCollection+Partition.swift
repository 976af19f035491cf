extension RandomAccessCollection {
    /// The first index whose element belongs to the second part, in a collection whose elements
    /// of the second part all come after those of the first (sorted by what `belongsInSecondPart`
    /// looks at): found by bisection. `endIndex` when none does. (swift-algorithms has the same;
    /// it is not one of this target's dependencies.)
    func partitioningIndex(where belongsInSecondPart: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex, count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try belongsInSecondPart(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
