import Synchronization

/// The picture of a product without one of its own: an illustration of its kind (potatoes,
/// spinach, chicken, salmon), chosen by the words of its name, else its aisle's picture.
///
/// Rules are tried in order and the first whose words all appear in the name wins, so more
/// particular rules ("apple juice", "sweet potatoes") come before general ones ("apple",
/// "potatoes"). The pictures are drawn by `scripts/draw-product-pictures`.
enum ProductPictures {
    /// A rule: all of `words` (whole words or word starts ending in `*`) in the name, and, when
    /// given, the product in `aisle`.
    struct Rule: Sendable {
        var words: [String]
        var kind: String
        var aisle: String?
    }

    static let rules: [Rule] = [
        // Drinks and breakfast before the fruit they taste of.
        rule("apple juice", "apple-juice"), rule("orange juice", "juice"), rule("squash", "squash"), rule("cordial", "squash"),
        rule("puree pouch", "baby-food"), rule("risotto jar", "baby-food"), rule("baby porridge", "baby-food"), rule("baby rice", "rice-cakes"),
        rule("infant milk", "baby-milk"), rule("follow on milk", "baby-milk"), rule("baby bottles", "baby-bottle"), rule("nappy cream", "sun-cream"),
        rule("nappies", "nappies"), rule("wipes", "wipes"), rule("baby shampoo", "shampoo"),
        rule("strawberry jam", "jam"), rule("marmalade", "marmalade"), rule("honey", "honey", aisle: "breakfast"), rule("maple syrup", "syrup"),
        rule("peanut butter", "spread"), rule("hazelnut spread", "spread"), rule("yeast extract", "spread"), rule("pancake", "pancakes"),
        rule("porridge", "oats"), rule("granola", "granola"), rule("muesli", "granola"), rule("cereal bars", "cereal-bars"),
        rule("flakes", "cereal", aisle: "breakfast"), rule("cornflakes", "cereal"), rule("hoops", "cereal"), rule("wheat biscuits", "cereal"),
        rule("frozen mango", "frozen-fruit"), rule("frozen raspberries", "frozen-fruit"), rule("ice cream", "ice-cream"), rule("pizza", "pizza"),
        rule("chips", "chips", aisle: "frozen"), rule("mixed vegetables", "frozen-veg"), rule("garden peas", "frozen-veg"), rule("sweetcorn", "frozen-veg"),
        rule("fish fingers", "fish-fingers"), rule("goujons", "fish-fingers"), rule("burgers", "burgers"), rule("yorkshire", "rolls"),
        rule("tikka", "ready-meal"), rule("lasagne", "ready-meal"), rule("spring rolls", "ready-meal"),
        rule("fruit pastilles", "sweets"), rule("jelly babies", "sweets"), rule("yoghurts", "fruit-yoghurt"), rule("strawberry yoghurt*", "fruit-yoghurt"),
        // Fruit.
        rule("banana*", "banana"), rule("apple*", "apple"), rule("pear*", "pear"), rule("clementine*", "clementine"), rule("orange*", "orange"),
        rule("lemon*", "lemon"), rule("lime*", "lime"), rule("mango*", "mango"), rule("pineapple*", "pineapple"), rule("watermelon*", "watermelon"),
        rule("grape*", "grapes"), rule("strawberr*", "strawberries"), rule("raspberr*", "raspberries"), rule("blueberr*", "blueberries"),
        rule("avocado*", "avocado"),
        // Vegetables.
        rule("cherry tomatoes", "cherry-tomatoes"), rule("chopped tomatoes", "tinned-tomatoes"), rule("pasta sauce", "pasta-sauce"),
        rule("tomato ketchup", "ketchup"), rule("tomato*", "tomatoes"), rule("sweet potato*", "sweet-potatoes"), rule("potato*", "potatoes"),
        rule("red onion*", "red-onions"), rule("onion*", "onions"), rule("garlic", "garlic"), rule("ginger beer", "fizzy-drink"), rule("ginger", "ginger"),
        rule("carrot cake", "cake"), rule("carrot*", "carrots"), rule("parsnip*", "parsnips"), rule("broccoli", "broccoli"), rule("cauliflower", "cauliflower"),
        rule("spinach", "spinach"), rule("lettuce", "lettuce"), rule("basil pesto", "pesto"), rule("basil", "herbs"), rule("coriander", "herbs"),
        rule("courgette*", "courgettes"), rule("cucumber*", "cucumber"), rule("leek*", "leeks"), rule("mushroom*", "mushrooms"), rule("pepper*", "peppers", aisle: "fruit-veg"),
        // Bakery.
        rule("sliced bread", "sliced-bread"), rule("batch loaf", "loaf"), rule("sourdough", "loaf"), rule("baguette", "baguette"),
        rule("croissant*", "croissant"), rule("pain au chocolat", "croissant"), rule("bagel*", "bagels"), rule("english muffins", "crumpets"),
        rule("muffin*", "muffins"), rule("crumpet*", "crumpets"), rule("cake", "cake"), rule("sponge", "cake", aisle: "bakery"),
        rule("buns", "rolls"), rule("rolls", "rolls", aisle: "bakery"), rule("naan", "flatbread"), rule("pitta", "flatbread"), rule("wraps", "flatbread"),
        // Dairy and eggs.
        rule("eggs", "eggs"), rule("oat drink", "plant-drink"), rule("almond drink", "plant-drink"), rule("milk", "milk", aisle: "dairy-eggs"),
        rule("butter", "butter", aisle: "dairy-eggs"), rule("cream cheese", "soft-cheese"), rule("brie", "soft-cheese"), rule("mozzarella", "soft-cheese"),
        rule("cheddar", "cheese"), rule("feta", "cheese"), rule("halloumi", "cheese"), rule("parmigiano", "cheese"), rule("yoghurt", "yoghurt"),
        rule("cream", "cream", aisle: "dairy-eggs"), rule("crème fraîche", "cream"),
        // Meat and fish.
        rule("whole chicken", "whole-chicken"), rule("chicken", "chicken", aisle: "meat-fish"), rule("mince", "mince"), rule("bacon", "bacon"),
        rule("ham", "ham"), rule("chorizo", "ham"), rule("sausages", "sausages"), rule("smoked salmon", "smoked-fish"), rule("salmon", "salmon"),
        rule("mackerel", "smoked-fish"), rule("cod", "white-fish"), rule("sea bass", "whole-fish"), rule("prawns", "prawns"),
        rule("steak*", "steak"), rule("beef", "steak", aisle: "meat-fish"), rule("brisket", "steak"),
        // Pantry.
        rule("spaghetti", "pasta"), rule("penne", "pasta-shapes"), rule("fusilli", "pasta-shapes"), rule("rice", "rice", aisle: "pantry"),
        rule("lentils", "lentils"), rule("baked beans", "tinned-beans"), rule("chickpeas", "tinned-beans"), rule("kidney beans", "tinned-beans"),
        rule("coconut milk", "coconut-milk"), rule("tuna", "tinned-fish"), rule("oil", "oil"), rule("mayonnaise", "mayonnaise"), rule("soy sauce", "soy-sauce"),
        rule("flour", "flour"), rule("sugar", "sugar"), rule("peppercorns", "spices"), rule("cumin", "spices"), rule("curry powder", "spices"),
        rule("salt", "salt", aisle: "pantry"), rule("stock cubes", "stock"), rule("gravy granules", "stock"),
        // Drinks.
        rule("coffee beans", "coffee-beans"), rule("coffee", "coffee"), rule("tea bags", "tea"), rule("hot chocolate", "hot-chocolate"),
        rule("cola", "cola"), rule("energy drink", "energy-drink"), rule("water", "water", aisle: "drinks"), rule("lemonade", "fizzy-drink"),
        // Snacks.
        rule("tortilla chips", "tortilla-chips"), rule("crisps", "crisps"), rule("chocolate digestives", "chocolate-biscuits"), rule("cookies", "chocolate-biscuits"),
        rule("biscuits", "biscuits", aisle: "snacks"), rule("shortbread", "biscuits"), rule("chocolate", "chocolate", aisle: "snacks"), rule("nuts", "nuts"),
        rule("peanuts", "nuts"), rule("popcorn", "popcorn"), rule("houmous", "houmous"), rule("rice cakes", "rice-cakes"),
        // Household.
        rule("toilet tissue", "toilet-roll"), rule("kitchen roll", "kitchen-roll"), rule("kitchen foil", "foil"), rule("cling film", "foil"),
        rule("food bags", "bin-bags"), rule("bin bags", "bin-bags"), rule("batteries", "batteries"), rule("light bulb", "light-bulb"),
        rule("tea lights", "candles"), rule("sponge scourers", "sponge"), rule("laundry capsules", "capsules"), rule("dishwasher tablets", "capsules"),
        rule("laundry liquid", "laundry"), rule("fabric conditioner", "laundry"), rule("washing up", "washing-up"), rule("bleach", "bleach"),
        rule("cleaner", "cleaning-spray"),
        // Health and beauty.
        rule("toothpaste", "toothpaste"), rule("toothbrushes", "toothbrush"), rule("mouthwash", "shampoo"), rule("tablets", "tablets", aisle: "health-beauty"),
        rule("multivitamins", "vitamins"), rule("plasters", "plasters"), rule("tissues", "tissues"), rule("cotton buds", "tissues"),
        rule("deodorant", "deodorant"), rule("sun cream", "sun-cream"), rule("body lotion", "sun-cream"), rule("bar soap", "soap"), rule("hand wash", "soap"),
        rule("shampoo", "shampoo"), rule("conditioner", "shampoo"), rule("shower gel", "shampoo"),
        // Pet.
        rule("cat litter", "cat-litter"), rule("cat", "cat-food", aisle: "pet"), rule("kitten", "cat-food"), rule("dog food", "dog-food"),
        rule("puppy", "dog-food"), rule("bird seed", "bird-seed"), rule("chews", "pet-treats"), rule("gravy bones", "pet-treats"),
        rule("dog poo bags", "bin-bags"), rule("small animal", "bird-seed"),
    ]

    /// The kind of product `name` (in the aisle `aisle`) is, or nil when no rule knows it.
    static func kind(of name: String, aisle: String) -> String? {
        let words = name.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        for rule in rules where rule.aisle == nil || rule.aisle == aisle {
            if contains(words, rule.words) { return rule.kind }
        }
        return nil
    }

    /// The address (under `/static`) of the picture for a product named `name` in `aisle`:
    /// its kind's, else its aisle's. Worked out once per name (a page lists dozens of products,
    /// and the rules are tried in turn).
    static func url(for name: String, aisle: String) -> String {
        let key = aisle + "\u{1F}" + name
        if let known = chosen.withLock({ $0[key] }) { return known }
        let url = kind(of: name, aisle: aisle).map { "/static/images/products/\($0).svg" } ?? AisleImages.url(for: aisle)
        chosen.withLock { known in
            if known.count >= 100_000 { known.removeAll() } // a bound, far above any catalogue's names
            known[key] = url
        }
        return url
    }

    /// The address chosen for each aisle and name seen.
    private static let chosen = Mutex<[String: String]>([:])

    /// True when `phrase` appears in `words` as consecutive words ("word*" matches a word it starts).
    static func contains(_ words: [String], _ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) {
            let matches = phrase.indices.allSatisfy { index in
                let wanted = phrase[index]
                let word = words[start + index]
                return wanted.hasSuffix("*") ? word.hasPrefix(wanted.dropLast()) : word == wanted
            }
            if matches { return true }
        }
        return false
    }

    private static func rule(_ phrase: String, _ kind: String, aisle: String? = nil) -> Rule {
        Rule(words: phrase.lowercased().split(separator: " ").map(String.init), kind: kind, aisle: aisle)
    }
}
