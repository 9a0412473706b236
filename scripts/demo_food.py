"""Food information for the demo catalogue: allergens (the 14 of UK/EU food law), dietary
labels, ingredients, country of origin and nutrition per 100 g or ml, by kind of product, with
plausible values; and the minimum age for the age-restricted ones. Used by
generate-demo-catalogue.py."""
import re

def N(kcal, fat, sat, carb, sug, fib, pro, salt):
    return dict(kcal=kcal, kj=round(kcal * 4.184), fat=fat, sat=sat, carb=carb, sug=sug, fib=fib, pro=pro, salt=salt)

VEGAN = "vegan;vegetarian;dairy-free"
T = {  # template: (allergens, dietary, ingredients or None (= the product itself), nutrition)
 'fruit': ("", VEGAN + ";gluten-free", None, N(52, 0.2, 0, 11.4, 10.0, 2.0, 0.5, 0.01)),
 'berry': ("", VEGAN + ";gluten-free", None, N(40, 0.3, 0, 7.7, 5.8, 2.5, 0.8, 0.01)),
 'citrus': ("", VEGAN + ";gluten-free", None, N(42, 0.1, 0, 8.5, 8.3, 1.8, 0.9, 0.01)),
 'veg': ("", VEGAN + ";gluten-free", None, N(30, 0.3, 0.1, 4.6, 3.0, 2.6, 1.6, 0.02)),
 'potato': ("", VEGAN + ";gluten-free", None, N(77, 0.1, 0, 16.1, 0.8, 1.6, 2.0, 0.01)),
 'herb': ("", VEGAN + ";gluten-free", None, N(25, 0.6, 0.1, 1.3, 0.3, 3.0, 3.2, 0.05)),
 'bread': ("gluten", "vegan;vegetarian;dairy-free", "Wheat flour, water, yeast, salt, rapeseed oil, flour treatment agent: ascorbic acid", N(240, 1.9, 0.4, 45.0, 3.4, 2.9, 8.9, 1.0)),
 'wholemeal': ("gluten", "vegan;vegetarian;dairy-free", "Wholemeal wheat flour, water, yeast, wheat gluten, salt, rapeseed oil", N(228, 2.6, 0.5, 38.0, 2.8, 6.8, 10.2, 0.9)),
 'seeded': ("gluten;sesame", "vegan;vegetarian;dairy-free", "Wheat flour, water, seeds (sunflower, linseed, sesame), yeast, salt, rapeseed oil", N(262, 6.0, 0.8, 40.0, 3.0, 5.5, 10.5, 0.9)),
 'enriched': ("gluten;eggs;milk", "vegetarian", "Wheat flour, butter (milk), sugar, eggs, yeast, salt", N(330, 11.0, 5.5, 48.0, 9.0, 2.0, 8.5, 0.9)),
 'pastry': ("gluten;milk;eggs", "vegetarian", "Wheat flour, butter (milk), water, sugar, eggs, yeast, salt", N(415, 22.0, 14.0, 44.0, 8.0, 2.0, 8.0, 0.8)),
 'cake': ("gluten;eggs;milk;soya", "vegetarian", "Wheat flour, sugar, eggs, butter (milk), rapeseed oil, raising agents, soya lecithin", N(405, 19.0, 8.0, 53.0, 33.0, 1.2, 4.6, 0.5)),
 'milk': ("milk", "vegetarian;gluten-free", None, N(50, 1.8, 1.1, 4.8, 4.8, 0, 3.6, 0.11)),
 'cream': ("milk", "vegetarian;gluten-free", "Cream (milk)", N(340, 36.0, 23.0, 2.6, 2.6, 0, 1.7, 0.08)),
 'butter': ("milk", "vegetarian;gluten-free", "Butter (milk), salt", N(740, 82.0, 52.0, 0.6, 0.6, 0, 0.6, 1.5)),
 'cheese': ("milk", "vegetarian;gluten-free", "Cheese (milk), salt, vegetarian rennet", N(416, 34.9, 21.7, 0.1, 0.1, 0, 25.4, 1.8)),
 'softcheese': ("milk", "vegetarian;gluten-free", "Soft cheese (milk), salt, starter cultures", N(250, 22.0, 14.0, 3.0, 3.0, 0, 8.0, 0.7)),
 'yoghurt': ("milk", "vegetarian;gluten-free", "Yoghurt (milk), live cultures", N(95, 5.0, 3.3, 6.0, 6.0, 0, 5.7, 0.1)),
 'fruityog': ("milk", "vegetarian;gluten-free", "Yoghurt (milk), strawberries (8%), sugar, cornflour, natural flavouring", N(98, 2.5, 1.6, 13.5, 12.8, 0.2, 4.1, 0.12)),
 'eggs': ("eggs", "vegetarian;gluten-free;dairy-free", "Free range eggs", N(131, 9.0, 2.5, 0, 0, 0, 12.6, 0.3)),
 'oatdrink': ("gluten", "vegan;vegetarian;dairy-free", "Water, oats (10%), rapeseed oil, calcium carbonate, salt, vitamins (D2, B12)", N(46, 1.5, 0.2, 6.6, 4.0, 0.8, 1.0, 0.1)),
 'almonddrink': ("nuts", "vegan;vegetarian;dairy-free;gluten-free", "Water, almonds (2.3%), calcium carbonate, sea salt, stabiliser: gellan gum, vitamins (E, D2, B12)", N(13, 1.1, 0.1, 0, 0, 0.4, 0.4, 0.13)),
 'redmeat': ("", "gluten-free;dairy-free", None, N(190, 11.0, 4.8, 0, 0, 0, 22.0, 0.15)),
 'chicken': ("", "gluten-free;dairy-free", None, N(106, 1.1, 0.3, 0, 0, 0, 24.0, 0.13)),
 'cured': ("", "gluten-free;dairy-free", "Pork (87%), water, salt, preservatives: sodium nitrite, potassium nitrate", N(215, 16.0, 5.9, 0.5, 0.5, 0, 17.0, 3.0)),
 'sausage': ("gluten;sulphites", "dairy-free", "Pork (80%), water, wheat rusk, salt, seasoning, preservative: sodium metabisulphite", N(241, 17.0, 6.3, 8.6, 1.0, 0.8, 13.5, 1.4)),
 'fish': ("fish", "gluten-free;dairy-free", None, N(180, 11.0, 2.0, 0, 0, 0, 20.0, 0.15)),
 'whitefish': ("fish", "gluten-free;dairy-free", None, N(80, 0.7, 0.1, 0, 0, 0, 18.0, 0.2)),
 'smokedfish': ("fish", "gluten-free;dairy-free", None, N(200, 12.0, 2.0, 0, 0, 0, 23.0, 3.0)),
 'prawns': ("crustaceans", "gluten-free;dairy-free", "King prawns (crustacean), salt", N(72, 0.6, 0.1, 0, 0, 0, 16.5, 0.8)),
 'frozveg': ("", VEGAN + ";gluten-free", None, N(68, 0.9, 0.2, 9.0, 4.5, 5.1, 5.4, 0.01)),
 'chips': ("", VEGAN + ";gluten-free", "Potatoes (95%), sunflower oil", N(150, 4.5, 0.5, 24.0, 0.6, 2.5, 2.5, 0.05)),
 'breaded': ("gluten", "dairy-free", "Chicken breast (62%), breadcrumb (wheat flour, water, yeast, salt), rapeseed oil, salt", N(230, 11.0, 1.2, 17.0, 1.2, 1.0, 15.0, 0.9)),
 'fishfingers': ("fish;gluten", "dairy-free", "Alaska pollock (fish) (58%), breadcrumb (wheat flour, water, yeast, salt), rapeseed oil", N(220, 9.5, 0.8, 19.0, 1.0, 1.0, 13.0, 0.7)),
 'burger': ("gluten;sulphites", "dairy-free", "Beef (85%), water, onion, wheat rusk, salt, black pepper, preservative: sodium metabisulphite", N(265, 20.0, 9.0, 5.0, 1.0, 0.5, 16.0, 1.1)),
 'pizza': ("gluten;milk", "vegetarian", "Wheat flour, tomato purée, mozzarella cheese (milk) (20%), water, rapeseed oil, yeast, salt, oregano", N(245, 9.0, 4.5, 30.0, 3.0, 2.0, 11.0, 1.1)),
 'readymeal': ("milk;mustard", "", "Cooked rice, chicken (22%), tomato, onion, single cream (milk), yoghurt (milk), spices, mustard seeds, garlic, ginger", N(140, 4.5, 2.0, 17.0, 2.5, 1.2, 7.5, 0.55)),
 'icecream': ("milk;eggs", "vegetarian;gluten-free", "Milk, cream (milk), sugar, egg yolk, natural flavouring", N(210, 11.0, 7.0, 24.0, 22.0, 0.2, 3.5, 0.15)),
 'pasta': ("gluten", "vegan;vegetarian;dairy-free", "Durum wheat semolina", N(357, 1.5, 0.3, 71.0, 3.5, 3.0, 12.5, 0.01)),
 'rice': ("", VEGAN + ";gluten-free", None, N(350, 0.8, 0.2, 78.0, 0.1, 1.0, 7.5, 0.01)),
 'pulses': ("", VEGAN + ";gluten-free", None, N(110, 0.6, 0.1, 15.0, 0.6, 6.5, 7.2, 0.02)),
 'lentils': ("", VEGAN + ";gluten-free", "Red split lentils", N(318, 1.3, 0.2, 48.0, 1.5, 11.0, 24.0, 0.02)),
 'tomatoes': ("", VEGAN + ";gluten-free", "Tomatoes, tomato juice, acidity regulator: citric acid", N(22, 0.1, 0, 3.5, 3.5, 0.9, 1.1, 0.03)),
 'beans': ("", VEGAN, "Haricot beans (51%), tomatoes (34%), water, sugar, spirit vinegar, modified cornflour, salt, spice extracts", N(78, 0.2, 0, 12.5, 4.7, 3.7, 4.7, 0.6)),
 'oil': ("", VEGAN + ";gluten-free", None, N(824, 91.6, 13.8, 0, 0, 0, 0, 0)),
 'sugar': ("", VEGAN + ";gluten-free", "Sugar", N(400, 0, 0, 100.0, 100.0, 0, 0, 0)),
 'flour': ("gluten", "vegan;vegetarian;dairy-free", "Wheat flour, calcium carbonate, iron, niacin, thiamin", N(341, 1.4, 0.2, 72.0, 1.3, 3.1, 10.0, 0.01)),
 'srflour': ("gluten", "vegan;vegetarian;dairy-free", "Wheat flour, raising agents: sodium bicarbonate, calcium phosphates; calcium carbonate, iron, niacin, thiamin", N(334, 1.3, 0.2, 71.0, 1.2, 3.1, 9.6, 0.85)),
 'spice': ("", VEGAN + ";gluten-free", None, N(330, 10.0, 1.5, 40.0, 2.0, 25.0, 12.0, 0.1)),
 'curry': ("mustard;celery", VEGAN, "Coriander, turmeric, cumin, fenugreek, chilli, salt, mustard, celery seed, black pepper", N(325, 13.0, 1.0, 28.0, 3.0, 30.0, 12.0, 3.5)),
 'salt': ("", VEGAN + ";gluten-free", "Sea salt", N(0, 0, 0, 0, 0, 0, 0, 99.0)),
 'stock': ("celery", "vegan;vegetarian;dairy-free;gluten-free", "Salt, potato starch, yeast extract, vegetables (onion, carrot, celery) (5%), sunflower oil, sugar, herbs", N(250, 12.0, 1.5, 25.0, 6.0, 1.0, 6.0, 55.0)),
 'gravy': ("gluten;celery", "vegan;vegetarian;dairy-free", "Potato starch, maltodextrin, salt, wheat flour, colour: ammonia caramel, yeast extract, celery seed", N(450, 19.0, 9.0, 65.0, 3.0, 0.5, 3.0, 10.0)),
 'soysauce': ("soya;gluten", "vegan;vegetarian;dairy-free", "Water, soya beans, wheat, salt", N(60, 0.1, 0, 6.5, 1.0, 0.8, 8.1, 14.5)),
 'mayo': ("eggs;mustard", "vegetarian;gluten-free;dairy-free", "Rapeseed oil (78%), water, pasteurised egg yolk (6%), spirit vinegar, sugar, salt, mustard flour, lemon juice", N(720, 79.0, 6.0, 1.3, 1.3, 0, 1.1, 1.5)),
 'ketchup': ("", VEGAN + ";gluten-free", "Tomatoes (148 g per 100 g), spirit vinegar, sugar, salt, spice and herb extracts", N(102, 0.1, 0, 23.2, 22.8, 0.5, 1.2, 1.8)),
 'pesto': ("milk;nuts", "gluten-free", "Basil (40%), sunflower oil, cashew nuts, Grana Padano cheese (milk), pine kernels, salt, garlic", N(460, 46.0, 7.0, 5.0, 3.0, 2.0, 5.5, 2.2)),
 'sauce': ("", VEGAN + ";gluten-free", "Tomatoes (85%), onion, basil (2%), sugar, olive oil, salt, garlic", N(48, 1.2, 0.2, 7.0, 6.0, 1.5, 1.5, 0.7)),
 'coconut': ("", VEGAN + ";gluten-free", "Coconut extract (80%), water, stabiliser: guar gum", N(170, 17.0, 15.0, 2.6, 2.0, 0, 1.4, 0.03)),
 'tuna': ("fish", "gluten-free;dairy-free", "Skipjack tuna (fish), spring water, salt", N(110, 0.6, 0.2, 0, 0, 0, 25.0, 0.9)),
 'crisps': ("", VEGAN + ";gluten-free", "Potatoes, sunflower oil, salt", N(530, 32.0, 2.6, 52.0, 0.5, 4.4, 6.2, 1.3)),
 'cheesecrisps': ("milk", "vegetarian;gluten-free", "Potatoes, sunflower oil, cheese and onion seasoning (whey powder (milk), onion powder, cheese powder (milk), salt)", N(526, 31.0, 2.7, 52.0, 2.3, 4.2, 6.6, 1.4)),
 'svcrisps': ("", VEGAN + ";gluten-free", "Potatoes, sunflower oil, salt and vinegar seasoning (lactose-free flavourings, acid: citric acid, salt)", N(520, 31.0, 2.6, 52.0, 0.6, 4.2, 6.0, 1.7)),
 'tortilla': ("", VEGAN + ";gluten-free", "Corn, sunflower oil, salt", N(490, 24.0, 2.2, 60.0, 1.0, 4.8, 6.7, 1.0)),
 'popcorn': ("", VEGAN + ";gluten-free", "Popping corn, sunflower oil, salt", N(500, 27.0, 2.8, 52.0, 0.6, 12.0, 8.0, 1.5)),
 'nuts': ("nuts", VEGAN + ";gluten-free", None, N(600, 50.0, 9.0, 18.0, 5.0, 3.3, 18.0, 0.05)),
 'peanuts': ("peanuts", VEGAN + ";gluten-free", "Peanuts (96%), sunflower oil, salt", N(610, 52.0, 8.0, 9.0, 4.5, 7.0, 26.0, 1.0)),
 'trailmix': ("nuts;peanuts", VEGAN + ";gluten-free", "Raisins (40%), peanuts, cashew nuts, almonds, hazelnuts, sunflower oil", N(470, 28.0, 4.0, 40.0, 33.0, 5.0, 13.0, 0.03)),
 'milkchoc': ("milk;soya", "vegetarian;gluten-free", "Sugar, cocoa butter, whole milk powder, cocoa mass, emulsifier: soya lecithin", N(535, 30.0, 18.0, 57.0, 56.0, 2.1, 7.3, 0.24)),
 'darkchoc': ("soya", "vegan;vegetarian;dairy-free;gluten-free", "Cocoa mass, sugar, cocoa butter, emulsifier: soya lecithin", N(580, 42.0, 25.0, 33.0, 28.0, 11.0, 9.0, 0.02)),
 'biscuits': ("gluten;milk", "vegetarian", "Wheat flour, sugar, vegetable oil (palm, rapeseed), glucose syrup, whey powder (milk), raising agents, salt", N(455, 15.0, 7.0, 73.0, 22.0, 2.5, 7.0, 0.7)),
 'chocbiscuits': ("gluten;milk;soya", "vegetarian", "Milk chocolate (30%) (sugar, cocoa butter, milk powder, cocoa mass, soya lecithin), wheat flour, palm oil, wholemeal wheat flour, sugar", N(495, 23.0, 12.0, 62.0, 29.0, 3.0, 6.7, 0.9)),
 'cookies': ("gluten;milk;eggs;soya", "vegetarian", "Wheat flour, chocolate chips (24%) (sugar, cocoa mass, cocoa butter, soya lecithin), butter (milk), sugar, eggs", N(490, 23.0, 13.0, 63.0, 35.0, 2.3, 5.8, 0.6)),
 'shortbread': ("gluten;milk", "vegetarian", "Wheat flour, butter (milk) (32%), sugar, salt", N(520, 27.0, 17.0, 62.0, 18.0, 2.0, 5.5, 0.5)),
 'sweets': ("", "gluten-free;dairy-free", "Glucose syrup, sugar, gelatine, fruit juices from concentrate, acid: citric acid, colours", N(335, 0, 0, 79.0, 52.0, 0, 4.6, 0.1)),
 'ricecakes': ("", VEGAN + ";gluten-free", "Wholegrain brown rice, sea salt", N(387, 2.8, 0.6, 80.0, 0.5, 3.5, 8.0, 0.6)),
 'houmous': ("sesame", VEGAN + ";gluten-free", "Chickpeas (57%), water, rapeseed oil, sesame seed paste (tahini) (8%), lemon juice, garlic, salt", N(300, 24.0, 2.2, 10.0, 0.6, 6.0, 7.0, 0.8)),
 'cerealbar': ("gluten", "vegetarian;dairy-free", "Oats (45%), glucose syrup, honey (6%), vegetable oil, sugar, salt", N(420, 14.0, 5.0, 64.0, 28.0, 5.5, 6.5, 0.3)),
 'oats': ("gluten", "vegan;vegetarian;dairy-free", "Wholegrain oat flakes", N(375, 8.0, 1.5, 60.0, 1.0, 9.0, 11.0, 0.01)),
 'cereal': ("gluten", "vegan;vegetarian;dairy-free", "Wholegrain wheat, sugar, salt, barley malt extract, vitamins and iron", N(360, 2.0, 0.4, 69.0, 4.5, 10.0, 12.0, 0.28)),
 'cornflakes': ("gluten", "vegan;vegetarian;dairy-free", "Maize, sugar, barley malt flavouring, salt, vitamins and iron", N(378, 0.9, 0.2, 84.0, 8.0, 3.0, 7.0, 1.1)),
 'chochoops': ("gluten", "vegan;vegetarian;dairy-free", "Wholegrain wheat, sugar, cocoa powder (5%), maize flour, glucose syrup, salt, vitamins and iron", N(382, 2.5, 0.8, 78.0, 23.0, 7.0, 8.0, 0.6)),
 'granola': ("gluten;nuts", "vegetarian;dairy-free", "Oat flakes (55%), sugar, sunflower oil, honey, almonds (5%), hazelnuts, salt", N(450, 17.0, 2.0, 62.0, 20.0, 7.0, 9.0, 0.1)),
 'muesli': ("gluten;nuts", "vegan;vegetarian;dairy-free", "Wheat flakes, oat flakes, raisins (15%), sultanas, hazelnuts (5%), almonds (3%)", N(360, 6.5, 1.0, 62.0, 20.0, 8.0, 10.0, 0.05)),
 'peanutbutter': ("peanuts", VEGAN + ";gluten-free", "Roasted peanuts (95%), palm oil, sugar, salt", N(620, 50.0, 10.0, 12.0, 6.0, 7.0, 25.0, 1.0)),
 'choc_spread': ("nuts;milk;soya", "vegetarian;gluten-free", "Sugar, palm oil, hazelnuts (13%), skimmed milk powder (8.7%), fat-reduced cocoa (7.4%), emulsifier: soya lecithin", N(539, 30.9, 10.6, 57.5, 56.3, 0, 6.3, 0.11)),
 'preserve': ("", VEGAN + ";gluten-free", None, N(250, 0.1, 0, 61.0, 60.0, 0.8, 0.4, 0.03)),
 'honey': ("", "vegetarian;gluten-free;dairy-free", "Honey", N(330, 0, 0, 82.0, 82.0, 0, 0.3, 0.01)),
 'pancake': ("gluten;eggs;milk", "vegetarian", "Wheat flour, dried whole egg, dried skimmed milk, raising agents, salt", N(355, 3.5, 1.4, 66.0, 4.0, 2.5, 14.0, 1.0)),
 'yeastextract': ("gluten;celery", "vegan;vegetarian;dairy-free", "Yeast extract (contains barley, wheat, oats, rye), salt, vegetable juice concentrate, niacin, vitamins, celery extract", N(260, 0.1, 0, 24.0, 1.1, 3.5, 34.0, 10.8)),
 'water': ("", VEGAN + ";gluten-free", "Natural mineral water", N(0, 0, 0, 0, 0, 0, 0, 0)),
 'juice': ("", VEGAN + ";gluten-free", None, N(45, 0, 0, 10.0, 10.0, 0.2, 0.6, 0)),
 'soft': ("", VEGAN + ";gluten-free", "Carbonated water, sugar, colour: caramel E150d, acid: phosphoric acid, natural flavourings, caffeine", N(42, 0, 0, 10.6, 10.6, 0, 0, 0)),
 'diet': ("", VEGAN + ";gluten-free", "Carbonated water, colour: caramel E150d, sweeteners (aspartame, acesulfame K), acid: phosphoric acid, flavourings, caffeine", N(0, 0, 0, 0, 0, 0, 0, 0.02)),
 'squash': ("", VEGAN + ";gluten-free", "Water, fruit juice from concentrate (10%), acid: citric acid, sweetener: sucralose, preservative: potassium sorbate", N(8, 0, 0, 1.2, 1.0, 0, 0.1, 0.02)),
 'tea': ("", VEGAN + ";gluten-free", None, N(1, 0, 0, 0, 0, 0, 0.1, 0)),
 'coffee': ("", VEGAN + ";gluten-free", None, N(2, 0, 0, 0.3, 0, 0, 0.1, 0)),
 'hotchoc': ("milk", "vegetarian;gluten-free", "Sugar, fat-reduced cocoa powder (25%), skimmed milk powder, glucose syrup, salt", N(390, 6.0, 3.5, 73.0, 65.0, 6.0, 10.0, 0.6)),
 'energy': ("", VEGAN + ";gluten-free", "Carbonated water, sugar, acid: citric acid, taurine (0.4%), caffeine (0.03%), vitamins (niacin, B6, B12)", N(45, 0, 0, 11.0, 11.0, 0, 0, 0.1)),
 'infantmilk': ("milk;fish", "vegetarian", "Skimmed milk, lactose (milk), vegetable oils, whey (milk), fish oil, vitamins and minerals", N(500, 26.0, 9.5, 55.0, 55.0, 2.5, 10.0, 0.4)),
 'puree': ("", VEGAN + ";gluten-free", "Apple (70%), banana (30%)", N(65, 0.2, 0, 14.0, 12.0, 1.5, 0.5, 0)),
 'babyporridge': ("gluten;milk", "vegetarian", "Wholegrain oat flour (53%), skimmed milk powder (40%), vitamins and minerals", N(400, 7.0, 2.5, 63.0, 18.0, 5.0, 17.0, 0.2)),
 'risottojar': ("milk;celery", "vegetarian;gluten-free", "Water, rice (12%), carrots, peas, onions, celery, cheese (milk), olive oil", N(65, 1.8, 0.7, 9.5, 1.5, 1.0, 2.3, 0.05)),
 'lasagne': ("gluten;milk;eggs;celery", "vegetarian", "Tomatoes, cooked egg pasta (durum wheat, egg), courgettes, milk, spinach, cheddar cheese (milk), onion, celery, butter (milk)", N(115, 4.5, 2.5, 13.0, 3.5, 1.5, 4.8, 0.5)),
 'springrolls': ("gluten;soya;sesame", "vegan;vegetarian;dairy-free", "Wheat flour, cabbage, carrot, onion, rapeseed oil, soy sauce (soya beans, wheat), sesame oil", N(230, 10.0, 1.0, 29.0, 3.0, 2.0, 5.0, 0.9)),
 'yorkshire': ("gluten;eggs;milk", "vegetarian", "Wheat flour, whole egg, milk, water, rapeseed oil, salt", N(255, 11.0, 1.0, 30.0, 1.5, 1.3, 9.0, 0.5)),
}
ORIGIN = {
 'Bananas': 'Colombia', 'Easy Peeler Clementines': 'Spain', 'Strawberries': 'United Kingdom', 'Pineapple': 'Costa Rica', 'Potatoes': 'United Kingdom',
 'Baby New Potatoes': 'United Kingdom', 'Red Onions': 'United Kingdom', 'Brown Onions': 'United Kingdom', 'Closed Cup Mushrooms': 'Ireland', 'Mixed Peppers': 'Spain',
 'Coriander': 'United Kingdom', 'Basil': 'United Kingdom', 'Baby Spinach': 'United Kingdom', 'Blueberries': 'Peru', 'Braeburn Apples': 'New Zealand',
 'Pink Lady Apples': 'France', 'Conference Pears': 'United Kingdom', 'Broccoli': 'United Kingdom', 'Tenderstem Broccoli': 'Kenya', 'Carrots': 'United Kingdom',
 'Cauliflower': 'United Kingdom', 'Cherry Tomatoes': 'Netherlands', 'Salad Tomatoes': 'Spain', 'Courgettes': 'Spain', 'Cucumber': 'Netherlands',
 'Fresh Ginger': 'China', 'Garlic': 'Spain', 'Iceberg Lettuce': 'Spain', 'Leeks': 'United Kingdom', 'Lemons': 'Spain', 'Limes': 'Brazil', 'Mango': 'Peru',
 'Navel Oranges': 'South Africa', 'Parsnips': 'United Kingdom', 'Raspberries': 'United Kingdom', 'Ripe & Ready Avocados': 'Peru', 'Seedless Red Grapes': 'South Africa',
 'Sweet Potatoes': 'United States', 'Watermelon': 'Spain',
 'Scottish Salmon Fillets': 'United Kingdom (Scotland)', 'Smoked Salmon': 'United Kingdom (Scotland)', 'Cod Fillets': 'Iceland', 'Sea Bass Fillets': 'Greece',
 'King Prawns': 'Vietnam', 'Smoked Mackerel Fillets': 'United Kingdom', 'Grated Parmigiano Reggiano': 'Italy', 'Mozzarella': 'Italy', 'Brie': 'France',
 'Greek Style Feta': 'Greece', 'Halloumi': 'Cyprus', 'Chorizo Slices': 'Spain', 'Basmati Rice': 'India', 'Arborio Risotto Rice': 'Italy',
 'Extra Virgin Olive Oil': 'Spain', 'Spaghetti': 'Italy', 'Penne': 'Italy', 'Fusilli': 'Italy', 'Chopped Tomatoes': 'Italy', 'Coconut Milk': 'Thailand',
 'Tuna Chunks in Spring Water': 'Thailand', 'Maple Syrup': 'Canada', 'Coffee Beans': 'Brazil', 'Ground Coffee': 'Colombia', 'Frozen Mango Chunks': 'Peru',
 'Cashew Nuts': 'Vietnam',
}
MAP = {
 # fruit & veg
 **{n: 'fruit' for n in ['Bananas', 'Braeburn Apples', 'Pink Lady Apples', 'Conference Pears', 'Mango', 'Pineapple', 'Seedless Red Grapes', 'Watermelon', 'Ripe & Ready Avocados']},
 **{n: 'berry' for n in ['Blueberries', 'Raspberries', 'Strawberries']},
 **{n: 'citrus' for n in ['Easy Peeler Clementines', 'Lemons', 'Limes', 'Navel Oranges']},
 **{n: 'veg' for n in ['Baby Spinach', 'Broccoli', 'Brown Onions', 'Carrots', 'Cauliflower', 'Cherry Tomatoes', 'Closed Cup Mushrooms', 'Courgettes', 'Cucumber',
                       'Fresh Ginger', 'Garlic', 'Iceberg Lettuce', 'Leeks', 'Mixed Peppers', 'Parsnips', 'Red Onions', 'Salad Tomatoes', 'Tenderstem Broccoli']},
 **{n: 'potato' for n in ['Baby New Potatoes', 'Potatoes', 'Sweet Potatoes']},
 **{n: 'herb' for n in ['Basil', 'Coriander']},
 # bakery
 **{n: 'bread' for n in ['Baguette', 'Crusty White Rolls', 'White Sliced Bread', 'Sourdough Loaf', 'Plain Tortilla Wraps', 'Crumpets', 'English Muffins', 'Plain Bagels']},
 **{n: 'wholemeal' for n in ['Wholemeal Sliced Bread', 'Wholemeal Pitta Breads']},
 'Seeded Batch Loaf': 'seeded', 'Naan Breads': 'enriched', 'Brioche Burger Buns': 'enriched', 'Cinnamon & Raisin Bagels': 'bread', 'Hot Cross Buns': 'enriched',
 **{n: 'pastry' for n in ['All Butter Croissants', 'Pain au Chocolat']},
 **{n: 'cake' for n in ['Carrot Cake Slices', 'Chocolate Muffins', 'Lemon Drizzle Cake', 'Victoria Sponge']},
 # dairy
 **{n: 'milk' for n in ['Semi-Skimmed Milk', 'Skimmed Milk', 'Whole Milk']},
 **{n: 'cream' for n in ['Double Cream', 'Single Cream', 'Crème Fraîche']},
 **{n: 'butter' for n in ['Salted Butter', 'Unsalted Butter', 'Spreadable Butter']},
 **{n: 'cheese' for n in ['Mature Cheddar', 'Mild Cheddar', 'Halloumi', 'Greek Style Feta']},
 'Grated Parmigiano Reggiano': 'cheese', 'Brie': 'softcheese', 'Mozzarella': 'softcheese', 'Cream Cheese': 'softcheese',
 **{n: 'yoghurt' for n in ['Greek Style Natural Yoghurt', 'Fat Free Vanilla Yoghurt']}, 'Strawberry Yoghurts': 'fruityog',
 **{n: 'eggs' for n in ['Free Range Eggs Large', 'Free Range Eggs Medium']}, 'Oat Drink': 'oatdrink', 'Almond Drink': 'almonddrink',
 # meat & fish
 **{n: 'redmeat' for n in ['Beef Brisket', 'Beef Mince 12% Fat', 'Beef Mince 5% Fat', 'Diced Beef', 'Lamb Leg Steaks', 'Lamb Mince', 'Pork Loin Steaks', 'Sirloin Steak']},
 **{n: 'chicken' for n in ['British Chicken Breast Fillets', 'Chicken Thighs', 'Whole Chicken']},
 **{n: 'cured' for n in ['Chorizo Slices', 'Cooked Ham Slices', 'Smoked Back Bacon', 'Unsmoked Streaky Bacon']}, 'Pork Sausages': 'sausage',
 **{n: 'fish' for n in ['Scottish Salmon Fillets', 'Sea Bass Fillets']}, 'Cod Fillets': 'whitefish',
 **{n: 'smokedfish' for n in ['Smoked Mackerel Fillets', 'Smoked Salmon']}, 'King Prawns': 'prawns',
 # frozen
 **{n: 'frozveg' for n in ['Garden Peas', 'Mixed Vegetables', 'Sweetcorn']}, **{n: 'berry' for n in ['Frozen Raspberries']}, 'Frozen Mango Chunks': 'fruit',
 'Chunky Oven Chips': 'chips', 'Breaded Chicken Goujons': 'breaded', 'Fish Fingers': 'fishfingers', 'Beef Burgers': 'burger',
 **{n: 'pizza' for n in ['Margherita Pizza', 'Pepperoni Pizza']}, 'Chicken Tikka Masala with Rice': 'readymeal',
 **{n: 'icecream' for n in ['Mint Choc Chip Ice Cream', 'Salted Caramel Ice Cream', 'Vanilla Ice Cream']},
 'Vegetable Lasagne': 'lasagne', 'Vegetable Spring Rolls': 'springrolls', 'Yorkshire Puddings': 'yorkshire',
 # pantry
 **{n: 'pasta' for n in ['Spaghetti', 'Penne', 'Fusilli']}, **{n: 'rice' for n in ['Arborio Risotto Rice', 'Basmati Rice', 'Long Grain Rice']},
 **{n: 'pulses' for n in ['Chickpeas', 'Red Kidney Beans']}, 'Red Lentils': 'lentils', 'Chopped Tomatoes': 'tomatoes', 'Baked Beans': 'beans',
 **{n: 'oil' for n in ['Extra Virgin Olive Oil', 'Sunflower Oil']}, **{n: 'sugar' for n in ['Caster Sugar', 'Granulated Sugar']},
 'Plain Flour': 'flour', 'Self Raising Flour': 'srflour', **{n: 'spice' for n in ['Black Peppercorns', 'Ground Cumin']}, 'Medium Curry Powder': 'curry',
 'Sea Salt': 'salt', 'Vegetable Stock Cubes': 'stock', 'Gravy Granules': 'gravy', 'Soy Sauce': 'soysauce', 'Mayonnaise': 'mayo', 'Tomato Ketchup': 'ketchup',
 'Basil Pesto': 'pesto', 'Tomato & Basil Pasta Sauce': 'sauce', 'Coconut Milk': 'coconut', 'Tuna Chunks in Spring Water': 'tuna',
 # snacks
 **{n: 'crisps' for n in ['Ready Salted Crisps', 'Sea Salt Hand Cooked Crisps']}, 'Cheese & Onion Crisps': 'cheesecrisps', 'Salt & Vinegar Crisps': 'svcrisps',
 'Tortilla Chips': 'tortilla', 'Salted Popcorn': 'popcorn', 'Cashew Nuts': 'nuts', 'Salted Peanuts': 'peanuts', 'Mixed Nuts & Raisins': 'trailmix',
 'Milk Chocolate Bar': 'milkchoc', 'Dark Chocolate 70%': 'darkchoc', 'Rich Tea Biscuits': 'biscuits', 'Chocolate Digestives': 'chocbiscuits',
 'Chocolate Chip Cookies': 'cookies', 'Shortbread Fingers': 'shortbread', **{n: 'sweets' for n in ['Fruit Pastilles', 'Jelly Babies']},
 'Rice Cakes': 'ricecakes', 'Houmous': 'houmous', 'Oat & Honey Cereal Bars': 'cerealbar',
 # breakfast
 'Porridge Oats': 'oats', **{n: 'cereal' for n in ['Bran Flakes', 'Wheat Biscuits']}, 'Cornflakes': 'cornflakes', 'Chocolate Hoops': 'chochoops',
 'Crunchy Granola': 'granola', 'Fruit & Nut Muesli': 'muesli', **{n: 'peanutbutter' for n in ['Crunchy Peanut Butter', 'Smooth Peanut Butter']},
 'Chocolate Hazelnut Spread': 'choc_spread', **{n: 'preserve' for n in ['Strawberry Jam', 'Thick Cut Orange Marmalade', 'Maple Syrup']}, 'Clear Honey': 'honey',
 'Pancake Mix': 'pancake', 'Yeast Extract': 'yeastextract',
 # drinks
 **{n: 'water' for n in ['Still Spring Water', 'Sparkling Water']}, **{n: 'juice' for n in ['Apple Juice', 'Orange Juice with Bits', 'Smooth Orange Juice']},
 **{n: 'soft' for n in ['Cola', 'Lemonade', 'Ginger Beer', 'Tonic Water']}, 'Diet Cola': 'diet', **{n: 'squash' for n in ['Orange Squash', 'Blackcurrant Cordial']},
 **{n: 'tea' for n in ['English Breakfast Tea Bags', 'Green Tea Bags', 'Peppermint Tea Bags']}, **{n: 'coffee' for n in ['Coffee Beans', 'Ground Coffee', 'Instant Coffee']},
 'Hot Chocolate': 'hotchoc', 'Energy Drink': 'energy',
 # baby
 **{n: 'infantmilk' for n in ['First Infant Milk', 'Follow On Milk']}, 'Apple & Banana Puree Pouch': 'puree', 'Baby Rice Cakes': 'ricecakes',
 'Baby Porridge': 'babyporridge', 'Vegetable Risotto Jar': 'risottojar',
}
AGE = {'Ibuprofen Tablets 200 mg': 16, 'Paracetamol Tablets 500 mg': 16}
COLUMNS = ['allergens', 'dietary', 'ingredients', 'origin', 'energy_kj', 'energy_kcal', 'fat_g', 'saturates_g', 'carbohydrate_g', 'sugars_g', 'fibre_g', 'protein_g', 'salt_g', 'minimum_age']
def grams(x):
    return ('%.2f' % x).rstrip('0').rstrip('.')


def food_columns(name, aisle, keywords):
    """The food columns of one demo product (empty strings for goods that are not food)."""
    base = re.sub(r'^(GoMart (Finest |Everyday |Organic )?(Finest |Everyday )?|Loose (Organic )?)', '', name)
    columns = {column: '' for column in COLUMNS}
    if base in AGE:
        columns['minimum_age'] = str(AGE[base])
    kind = MAP.get(base)
    if kind is None:
        if aisle not in ('Household', 'Health & Beauty', 'Pet', 'Baby'):
            raise SystemExit(f"no food information for {base!r} in {aisle}")
        return columns
    allergens, dietary, ingredients, n = T[kind]
    diet = [d for d in dietary.split(';') if d]
    if 'organic' in name.lower() or 'organic' in keywords.lower():
        diet.append('organic')
    columns['allergens'] = '; '.join(a for a in allergens.split(';') if a)
    columns['dietary'] = '; '.join(diet)
    columns['ingredients'] = ingredients or base.replace('Fillets', 'fillets')
    if ingredients is None and aisle in ('Meat & Fish', 'Fruit & Veg', 'Frozen', 'Pantry', 'Snacks', 'Drinks', 'Breakfast'):
        columns['ingredients'] = base[0] + base[1:].lower()
    columns['origin'] = ORIGIN.get(base, 'United Kingdom')
    columns['energy_kj'] = str(n['kj'])
    columns['energy_kcal'] = str(n['kcal'])
    for column, key in [('fat_g', 'fat'), ('saturates_g', 'sat'), ('carbohydrate_g', 'carb'), ('sugars_g', 'sug'), ('fibre_g', 'fib'), ('protein_g', 'pro'), ('salt_g', 'salt')]:
        columns[column] = grams(n[key])
    return columns
