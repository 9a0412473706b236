import Foundation

/// Retraining with a promotion gate: a candidate model is trained on fresh data and saved to the
/// model store (where serving picks it up) only if it scores no worse than the model being served.
public enum Retraining {
    /// What became of a candidate.
    public struct Outcome: Sendable {
        public var candidate: RecommendationModel
        /// The model that was being served, if any.
        public var current: RecommendationModel?
        /// The candidate and the current model scored on the same held-out baskets (orders of
        /// products both know), when there were any.
        public var comparison: (candidate: Evaluation.Scores, current: Evaluation.Scores)?
        /// True when the candidate was saved and now serves.
        public var promoted: Bool
        /// Why, in a sentence.
        public var reason: String
    }

    /// Trains a candidate on `data` (with the current model's weights and metric unless given),
    /// scores it and the current model on the same held-out baskets, and saves it to `store` if
    /// neither its hit rate nor its recall at 10 is lower. With no current model, or no customer
    /// with two orders to score on, the candidate is promoted: it at least knows the catalogue as
    /// it is now.
    public static func run(data: TrainingData, store: ModelStore, weights: FeatureWeights? = nil, metric: DistanceMetric? = nil,
                           now: Date = Date()) throws -> Outcome {
        let current: RecommendationModel?
        do {
            current = try store.latest()
        } catch {
            current = nil // an unreadable model cannot serve either: replace it
        }
        let (candidate, index) = RecommendationModel.train(
            data, weights: weights ?? current?.schema.weights ?? FeatureWeights(), metric: metric ?? current?.metric ?? .euclidean, now: now
        )
        var outcome = Outcome(candidate: candidate, current: current, comparison: nil, promoted: true, reason: "")
        if let current {
            let shared = Set(current.items.map(\.id)).intersection(candidate.items.map(\.id))
            let orders = data.orders.filter { shared.contains($0.product) }
            let challenger = Evaluation.run(orders: orders, index: index, metric: candidate.metric)
            let incumbent = Evaluation.run(orders: orders, index: current.makeIndex(), metric: current.metric)
            if challenger.customers > 0, let new = challenger.scores.first, let old = incumbent.scores.first {
                outcome.comparison = (new, old)
                outcome.promoted = new.hitRate >= old.hitRate && new.recall >= old.recall
                let figures = String(format: "hit rate@10 %.3f against %.3f, recall@10 %.3f against %.3f", new.hitRate, old.hitRate, new.recall, old.recall)
                outcome.reason = outcome.promoted
                    ? "it scores no worse than \(current.version) on \(challenger.customers) customers' last orders (\(figures))"
                    : "it scores worse than \(current.version) on \(challenger.customers) customers' last orders (\(figures)); \(current.version) stays"
            } else {
                outcome.reason = "no customer has two orders to compare the models on; the new model knows the catalogue as it is"
            }
        } else {
            outcome.reason = "there was no model yet"
        }
        if outcome.promoted { try store.save(candidate, index: index) }
        return outcome
    }
}
