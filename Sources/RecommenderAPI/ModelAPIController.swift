import Foundation
import GoMartModels
import HTTPProblems
import Hummingbird
import NIOFoundationCompat
import Recommendations

/// The model endpoint of the recommender role (`gomart serve --role recommender`): the loaded
/// k-NN model's answers by item id, for web instances to call over HTTP. It knows the model
/// only, not stock or prices: callers filter and price the ids it names.
public struct ModelAPIController<Context: RequestContext>: Sendable {
    let recommendations: RecommendationService

    public init(recommendations: RecommendationService) {
        self.recommendations = recommendations
    }

    public func addRoutes(to router: Router<Context>) {
        let api = router.group("api/v1/model")
        api.get(use: model)
        api.get("items/:id/neighbours", use: neighbours)
        api.post("recommendations", use: recommended)
    }

    /// The largest request body accepted.
    static var maximumBodyBytes: Int { 64 * 1024 }

    @Sendable func model(_ request: Request, context: Context) async throws -> ModelDTO {
        guard let model = recommendations.model else { throw ModelAPIError.noModel }
        return ModelDTO(version: model.version, createdAt: model.createdAt, metric: model.metric.rawValue, itemCount: model.items.count,
                        evaluation: model.evaluation.map { $0.scores.map(ModelDTO.Score.init) })
    }

    @Sendable func neighbours(_ request: Request, context: Context) async throws -> RecommendedItemsDTO {
        let id = try context.parameters.require("id")
        guard id.count <= 100 else { throw ModelAPIError.unknownItem }
        let k = try Self.k(FormURLEncoded.parse(request.uri.query)["k"], default: 10)
        guard recommendations.modelVersion != nil else { throw ModelAPIError.noModel }
        guard let answer = recommendations.similar(to: id, k: k) else { throw ModelAPIError.unknownItem }
        return RecommendedItemsDTO(answer)
    }

    @Sendable func recommended(_ request: Request, context: Context) async throws -> RecommendedItemsDTO {
        let body = try await request.body.collect(upTo: Self.maximumBodyBytes)
        let question: BasketQuestion
        do {
            question = try JSONDecoder().decode(BasketQuestion.self, from: Data(buffer: body))
        } catch {
            throw ModelAPIError.badBody("The body must be JSON: {\"basket\": [item ids], \"exclude\": [item ids], \"k\": 1 to \(RecommendationLimits.maximumK)}.")
        }
        guard (1...RecommendationLimits.maximumBasket).contains(question.basket.count),
              (question.exclude ?? []).count <= 1_000 else {
            throw ModelAPIError.badBody("The basket must name 1 to \(RecommendationLimits.maximumBasket) items, and at most 1000 may be excluded.")
        }
        let k = try Self.k(question.k.map { [String($0)] }, default: 10)
        guard recommendations.modelVersion != nil else { throw ModelAPIError.noModel }
        guard let answer = recommendations.recommended(forBasket: question.basket, excluding: Set(question.exclude ?? []), k: k) else {
            throw ModelAPIError.unknownItem
        }
        return RecommendedItemsDTO(answer)
    }

    /// `k`: `fallback` when absent, else a whole number from 1 to the model's limit.
    static func k(_ values: [String]?, default fallback: Int) throws -> Int {
        guard let values else { return fallback }
        guard values.count == 1, let value = Int(values[0]), (1...RecommendationLimits.maximumK).contains(value) else {
            throw ModelAPIError.badParameter("k", "must be a whole number from 1 to \(RecommendationLimits.maximumK)")
        }
        return value
    }
}

/// A question about a basket.
struct BasketQuestion: Decodable {
    var basket: [String]
    var exclude: [String]?
    var k: Int?
}

/// The loaded model, described.
struct ModelDTO: ResponseEncodable {
    struct Score: Codable {
        var name: String
        var hitRate: Double
        var recall: Double
        var coverage: Double

        init(_ scores: Evaluation.Scores) {
            name = scores.name
            hitRate = scores.hitRate
            recall = scores.recall
            coverage = scores.coverage
        }
    }

    var version: String
    var createdAt: String
    var metric: String
    var itemCount: Int
    var evaluation: [Score]?
}

/// A model's answer on the wire.
struct RecommendedItemsDTO: ResponseEncodable {
    var modelVersion: String
    var items: [RecommendedItem]

    init(_ answer: RecommendedItems) {
        modelVersion = answer.modelVersion
        items = answer.items
    }
}

/// Why the model endpoint cannot answer: problem details with the status they map to.
enum ModelAPIError: Error, HTTPResponseError {
    case noModel
    case unknownItem
    case badParameter(String, String)
    case badBody(String)

    var status: HTTPResponse.Status {
        switch self {
        case .noModel: .serviceUnavailable
        case .unknownItem: .notFound
        case .badParameter, .badBody: .badRequest
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let problem: ProblemDetails
        switch self {
        case .noModel:
            problem = ProblemDetails(title: "No model", status: 503, detail: "No model has been trained yet: run gomart ml train.", instance: request.uri.path)
        case .unknownItem:
            problem = ProblemDetails(title: "Unknown item", status: 404, detail: "The model knows none of these items.", instance: request.uri.path)
        case .badParameter(let name, let reason):
            problem = ProblemDetails(title: "Invalid parameter", status: 400, detail: "The parameter '\(name)' \(reason).",
                                     instance: request.uri.path, parameter: name)
        case .badBody(let detail):
            problem = ProblemDetails(title: "Invalid body", status: 400, detail: detail, instance: request.uri.path)
        }
        var response = problem.response()
        if case .noModel = self { response.headers[.retryAfter] = "10" }
        return response
    }
}
