/// A department of the shop, such as "Fruit & Veg".
public struct Aisle: Sendable, Hashable, Codable {
    /// The aisle's URL name, e.g. `fruit-veg`.
    public var slug: String
    /// The aisle's display name.
    public var name: String
    /// A one-line description for listings and meta descriptions.
    public var description: String
    /// Display order, smallest first.
    public var position: Int
    /// How many products on sale the aisle holds.
    public var productCount: Int

    /// Creates an aisle value.
    public init(slug: String, name: String, description: String, position: Int, productCount: Int) {
        self.slug = slug
        self.name = name
        self.description = description
        self.position = position
        self.productCount = productCount
    }
}
