/// How the distance between two items is measured.
public enum DistanceMetric: String, Sendable, Hashable, Codable, CaseIterable {
    /// Straight-line distance between the weighted feature vectors.
    case euclidean
    /// One minus the cosine of the angle between them.
    case cosine
}

/// One neighbour of a query item.
public struct Neighbour: Sendable, Hashable {
    /// The neighbour's position in the index.
    public var index: Int
    /// The neighbour's item id.
    public var id: String
    public var distance: Double
}

/// An exact k-nearest-neighbours index over encoded items.
///
/// Every query compares the item with every other item (brute force, so results are exact),
/// but a comparison costs a handful of operations: the two numeric features are subtracted, and
/// each one-hot block contributes 0 or 2·weight² depending only on whether the two categories
/// are equal. Ties are broken by item id, ascending, so results never depend on input order.
public struct NearestNeighbourIndex: Sendable {
    /// Item ids, in index order.
    public let ids: [String]
    let price: [Double]
    let unitPrice: [Double]
    let aisle: [Int32]
    let brand: [Int32]
    let aisleWeight: Double
    let brandWeight: Double
    /// One over each norm (0 for a zero vector), so a cosine query multiplies where it would divide.
    let inverseNorms: [Double]

    /// Encodes `items` with `schema`; an aisle or brand the schema does not know encodes as zeros.
    public init(items: [ItemRecord], schema: FeatureSchema) {
        let aisleIndex = Dictionary(uniqueKeysWithValues: schema.aisles.enumerated().map { ($1, Int32($0)) })
        let brandIndex = Dictionary(uniqueKeysWithValues: schema.brands.enumerated().map { ($1, Int32($0)) })
        var ids: [String] = [], price: [Double] = [], unitPrice: [Double] = [], aisle: [Int32] = [], brand: [Int32] = []
        ids.reserveCapacity(items.count)
        price.reserveCapacity(items.count)
        unitPrice.reserveCapacity(items.count)
        aisle.reserveCapacity(items.count)
        brand.reserveCapacity(items.count)
        for item in items {
            let (p, u) = schema.numeric(item)
            ids.append(item.id)
            price.append(p)
            unitPrice.append(u)
            aisle.append(aisleIndex[item.aisle] ?? -1)
            brand.append(brandIndex[item.brand] ?? -1)
        }
        let wa = schema.weights.aisle, wb = schema.weights.brand
        self.ids = ids
        self.price = price
        self.unitPrice = unitPrice
        self.aisle = aisle
        self.brand = brand
        aisleWeight = wa
        brandWeight = wb
        let squaredNorms = (0..<ids.count).map { (index: Int) -> Double in
            let numeric: Double = price[index] * price[index] + unitPrice[index] * unitPrice[index]
            let aislePart: Double = aisle[index] >= 0 ? wa * wa : 0
            let brandPart: Double = brand[index] >= 0 ? wb * wb : 0
            return numeric + aislePart + brandPart
        }
        inverseNorms = squaredNorms.map { $0 > 0 ? 1 / $0.squareRoot() : 0 }
    }

    public var count: Int { ids.count }

    /// The distance between the items at positions `a` and `b`.
    @inline(__always)
    public func distance(_ a: Int, _ b: Int, metric: DistanceMetric) -> Double {
        switch metric {
        case .euclidean:
            return squaredEuclidean(a, b).squareRoot()
        case .cosine:
            // In the same order as a query computes it, so both give the same bits.
            return 1 - dot(a, b) * inverseNorms[b] * inverseNorms[a]
        }
    }

    /// The dot product of the weighted feature vectors at `a` and `b`.
    @inline(__always)
    func dot(_ a: Int, _ b: Int) -> Double {
        var dot = price[a] * price[b] + unitPrice[a] * unitPrice[b]
        if aisle[a] >= 0 && aisle[a] == aisle[b] { dot += aisleWeight * aisleWeight }
        if brand[a] >= 0 && brand[a] == brand[b] { dot += brandWeight * brandWeight }
        return dot
    }

    @inline(__always)
    static func blockSquaredDistance(_ a: Int32, _ b: Int32, weight: Double) -> Double {
        if a == b { return 0 }
        return a < 0 || b < 0 ? weight * weight : 2 * weight * weight
    }

    /// The `k` items nearest to the item at `query`, nearest first, never the item itself;
    /// `excluding` says which other positions may not be returned.
    public func neighbours(of query: Int, k: Int, metric: DistanceMetric, excluding: ((Int) -> Bool)? = nil) -> [Neighbour] {
        guard k > 0, (0..<count).contains(query) else { return [] }
        // Ranks by a key that orders like the distance: the squared distance for Euclidean (no
        // square root per candidate), and for cosine minus the dot product over the candidate's
        // norm (the query's norm is the same for every candidate: no division, no square root).
        // A bounded max-heap keeps the best k so far by (key, id); most candidates are rejected
        // by one comparison.
        var heap: [Neighbour] = []
        heap.reserveCapacity(k + 1)
        var worst = Double.infinity
        for candidate in 0..<count where candidate != query {
            let key = metric == .euclidean ? squaredEuclidean(query, candidate) : -(dot(query, candidate) * inverseNorms[candidate])
            if heap.count == k {
                guard key <= worst else { continue }
                if key == worst && ids[candidate] > heap[0].id { continue }
            }
            if let excluding, excluding(candidate) { continue }
            if heap.count == k {
                heap[0] = Neighbour(index: candidate, id: ids[candidate], distance: key)
                siftDown(&heap, from: 0)
            } else {
                heap.append(Neighbour(index: candidate, id: ids[candidate], distance: key))
                siftUp(&heap, from: heap.count - 1)
            }
            if heap.count == k { worst = heap[0].distance }
        }
        var result = heap.sorted(by: Self.nearerFirst)
        for position in result.indices {
            let key = result[position].distance
            result[position].distance = metric == .euclidean ? key.squareRoot() : 1 + key * inverseNorms[query]
        }
        return result
    }

    /// The `k` items nearest to any item of `basket`, each ranked by its distance to the nearest
    /// basket item (ties by id), never a basket item nor one `excluding` names.
    ///
    /// Exact: an item in the overall top `k` is in the top `k` of the basket item it is nearest
    /// to, so merging each basket item's own top `k` loses nothing.
    public func neighbours(ofBasket basket: Set<Int>, k: Int, metric: DistanceMetric, excluding: Set<Int> = []) -> [Neighbour] {
        guard k > 0 else { return [] }
        var best: [Int: Neighbour] = [:]
        for item in basket.sorted() where (0..<count).contains(item) {
            let found = neighbours(of: item, k: k, metric: metric) { basket.contains($0) || excluding.contains($0) }
            for neighbour in found where neighbour.distance < best[neighbour.index]?.distance ?? .infinity {
                best[neighbour.index] = neighbour
            }
        }
        return Array(best.values.sorted(by: Self.nearerFirst).prefix(k))
    }

    @inline(__always)
    func squaredEuclidean(_ a: Int, _ b: Int) -> Double {
        let dp = price[a] - price[b], du = unitPrice[a] - unitPrice[b]
        return dp * dp + du * du + Self.blockSquaredDistance(aisle[a], aisle[b], weight: aisleWeight)
            + Self.blockSquaredDistance(brand[a], brand[b], weight: brandWeight)
    }

    static func nearerFirst(_ a: Neighbour, _ b: Neighbour) -> Bool {
        a.distance != b.distance ? a.distance < b.distance : a.id < b.id
    }

    /// True when `a` ranks after `b` (so belongs nearer the top of the max-heap).
    @inline(__always)
    private func worse(_ a: Neighbour, _ b: Neighbour) -> Bool {
        Self.nearerFirst(b, a)
    }

    private func siftUp(_ heap: inout [Neighbour], from start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard worse(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(_ heap: inout [Neighbour], from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var largest = parent
            if left < heap.count && worse(heap[left], heap[largest]) { largest = left }
            if right < heap.count && worse(heap[right], heap[largest]) { largest = right }
            if largest == parent { return }
            heap.swapAt(parent, largest)
            parent = largest
        }
    }
}
