#!/usr/bin/env python3
"""Regenerates Sources/Catalog/Resources/demo-catalogue.csv, the demo shop's catalogue.

Deterministic: the same script always writes the same file. Each base product becomes one
product per brand listed for it; prices vary by brand tier around the base price.
"""
import csv
import random
import sys
from pathlib import Path

from demo_food import food_columns

rng = random.Random(20261125)

OWN = "GoMart"
FINEST = "GoMart Finest"
VALUE = "GoMart Everyday"

# aisle -> list of (name, pack sizes, base price for first size, brands, description, keywords, loose)
A = {}

A["Fruit & Veg"] = [
    ("Bananas", ["per kg"], 0.95, ["Fairfield Farms"], "Ripe Cavendish bananas, sold loose by weight.", "fruit", True),
    ("Braeburn Apples", ["6 pack", "per kg"], 1.85, [OWN], "Crisp, sweet and sharp eating apples.", "fruit apple", None),
    ("Pink Lady Apples", ["4 pack"], 2.40, [OWN, FINEST], "Crunchy apples with a sweet-tart bite.", "fruit apple", False),
    ("Conference Pears", ["4 pack"], 1.90, [OWN], "Juicy British pears, ripen at home.", "fruit", False),
    ("Easy Peeler Clementines", ["600 g"], 1.75, [OWN, VALUE], "Sweet, seedless and easy to peel.", "fruit citrus orange", False),
    ("Navel Oranges", ["4 pack"], 1.60, [OWN], "Juicy seedless oranges.", "fruit citrus", False),
    ("Lemons", ["4 pack"], 1.20, [OWN], "Unwaxed lemons for cooking and drinks.", "fruit citrus", False),
    ("Limes", ["5 pack"], 1.30, [OWN], "Zesty limes.", "fruit citrus", False),
    ("Seedless Red Grapes", ["500 g"], 2.25, [OWN, FINEST], "Sweet, crisp red grapes.", "fruit", False),
    ("Strawberries", ["400 g"], 2.50, [OWN, FINEST], "Sweet British strawberries in season.", "fruit berries", False),
    ("Blueberries", ["150 g"], 1.95, [OWN, FINEST], "Plump blueberries, ready to eat.", "fruit berries", False),
    ("Raspberries", ["150 g"], 2.20, [OWN], "Delicate, sweet raspberries.", "fruit berries", False),
    ("Ripe & Ready Avocados", ["2 pack"], 1.80, [OWN], "Ready-to-eat Hass avocados.", "fruit", False),
    ("Mango", ["each"], 1.10, [OWN], "Ripe, juicy mango.", "fruit tropical", False),
    ("Pineapple", ["each"], 1.50, [OWN], "Sweet golden pineapple.", "fruit tropical", False),
    ("Watermelon", ["each"], 3.50, [OWN], "Whole seedless watermelon.", "fruit melon", False),
    ("Carrots", ["1 kg", "per kg"], 0.70, [OWN, VALUE], "Sweet, crunchy British carrots.", "vegetables veg", None),
    ("Potatoes", ["2.5 kg"], 1.75, [OWN, VALUE], "All-rounder white potatoes for mashing, roasting and chips.", "vegetables veg", False),
    ("Baby New Potatoes", ["750 g"], 1.25, [OWN, FINEST], "Waxy new potatoes, great boiled or roasted.", "vegetables veg", False),
    ("Sweet Potatoes", ["per kg"], 1.60, [OWN], "Orange-fleshed sweet potatoes, sold loose.", "vegetables veg", True),
    ("Brown Onions", ["1 kg"], 0.95, [OWN, VALUE], "Versatile brown onions.", "vegetables veg", False),
    ("Red Onions", ["3 pack"], 0.85, [OWN], "Mild red onions.", "vegetables veg", False),
    ("Garlic", ["4 pack"], 0.90, [OWN], "Whole garlic bulbs.", "vegetables veg", False),
    ("Broccoli", ["350 g"], 0.75, [OWN], "Tender green broccoli heads.", "vegetables veg", False),
    ("Cauliflower", ["each"], 1.05, [OWN], "Whole white cauliflower.", "vegetables veg", False),
    ("Tenderstem Broccoli", ["200 g"], 1.85, [FINEST], "Sweet, tender broccoli stems.", "vegetables veg", False),
    ("Closed Cup Mushrooms", ["300 g"], 0.95, [OWN, VALUE], "Mild white mushrooms.", "vegetables veg", False),
    ("Cherry Tomatoes", ["250 g"], 0.99, [OWN, FINEST], "Sweet cherry tomatoes on the vine.", "vegetables salad", False),
    ("Salad Tomatoes", ["6 pack"], 0.89, [OWN], "Classic round tomatoes.", "vegetables salad", False),
    ("Cucumber", ["each"], 0.75, [OWN], "Crisp whole cucumber.", "vegetables salad", False),
    ("Iceberg Lettuce", ["each"], 0.65, [OWN], "Crunchy iceberg lettuce.", "vegetables salad", False),
    ("Baby Spinach", ["200 g"], 1.40, [OWN], "Washed, ready-to-eat baby spinach.", "vegetables salad leaves", False),
    ("Mixed Peppers", ["3 pack"], 1.70, [OWN], "Red, yellow and green peppers.", "vegetables veg", False),
    ("Courgettes", ["3 pack"], 1.35, [OWN], "Versatile green courgettes.", "vegetables veg", False),
    ("Leeks", ["500 g"], 1.15, [OWN], "Trimmed British leeks.", "vegetables veg", False),
    ("Parsnips", ["per kg"], 1.40, [OWN], "Sweet roasting parsnips, sold loose.", "vegetables veg", True),
    ("Fresh Ginger", ["per kg"], 6.50, [OWN], "Loose root ginger.", "vegetables spice", True),
    ("Basil", ["30 g"], 0.85, [OWN], "Fresh fragrant basil.", "herbs", False),
    ("Coriander", ["30 g"], 0.85, [OWN], "Fresh coriander leaves.", "herbs", False),
]

A["Bakery"] = [
    ("White Sliced Bread", ["800 g", "400 g"], 1.25, [OWN, VALUE, "Hovis Mill"], "Soft white bread, medium sliced.", "loaf", False),
    ("Wholemeal Sliced Bread", ["800 g"], 1.35, [OWN, "Hovis Mill", "Kingsbake"], "Wholemeal bread, medium sliced.", "loaf brown", False),
    ("Seeded Batch Loaf", ["800 g"], 1.75, ["Kingsbake", FINEST], "Loaded with sunflower, linseed and pumpkin seeds.", "loaf", False),
    ("Sourdough Loaf", ["400 g"], 2.50, [FINEST, "Old Mill Bakers"], "Slow-fermented sourdough with a crackling crust.", "loaf artisan", False),
    ("Baguette", ["each"], 0.90, [OWN], "Freshly baked French-style baguette.", "french stick", False),
    ("Crusty White Rolls", ["4 pack"], 1.00, [OWN], "Freshly baked crusty rolls.", "bread rolls", False),
    ("Brioche Burger Buns", ["4 pack"], 1.60, [OWN, "St Pierre Boulangerie"], "Soft, golden brioche buns.", "bread rolls", False),
    ("Plain Bagels", ["5 pack"], 1.35, [OWN, "New York Bakers"], "Chewy plain bagels.", "bread", False),
    ("Cinnamon & Raisin Bagels", ["5 pack"], 1.45, ["New York Bakers"], "Spiced bagels studded with raisins.", "bread", False),
    ("Plain Tortilla Wraps", ["8 pack"], 1.25, [OWN, "Casa Verde"], "Soft flour tortillas.", "wraps", False),
    ("Wholemeal Pitta Breads", ["6 pack"], 0.75, [OWN], "Soft wholemeal pittas.", "pitta", False),
    ("Naan Breads", ["2 pack"], 1.20, [OWN, "Spice Route"], "Garlic and coriander naans.", "indian", False),
    ("All Butter Croissants", ["4 pack"], 1.90, [OWN, FINEST], "Flaky croissants made with butter.", "pastries", False),
    ("Pain au Chocolat", ["4 pack"], 2.10, [OWN], "Buttery pastry with dark chocolate.", "pastries", False),
    ("English Muffins", ["6 pack"], 1.10, [OWN], "Toasting muffins.", "breakfast", False),
    ("Crumpets", ["6 pack"], 0.85, [OWN, "Warburton Hill"], "Toasting crumpets.", "breakfast", False),
    ("Hot Cross Buns", ["4 pack"], 1.25, [OWN], "Spiced fruit buns.", "buns", False),
    ("Chocolate Muffins", ["4 pack"], 2.00, [OWN], "Double chocolate muffins.", "cake", False),
    ("Victoria Sponge", ["each"], 3.25, [FINEST], "Jam and buttercream sponge cake.", "cake", False),
    ("Lemon Drizzle Cake", ["each"], 2.50, [OWN], "Zesty lemon loaf cake.", "cake", False),
    ("Carrot Cake Slices", ["6 pack"], 2.25, ["Mr Kipling Bakes"], "Carrot cake with frosting.", "cake", False),
]

A["Dairy & Eggs"] = [
    ("Semi-Skimmed Milk", ["2.272 L", "1.136 L", "4.544 L"], 1.45, [OWN, "Meadow Fresh"], "British semi-skimmed milk.", "milk", False),
    ("Whole Milk", ["2.272 L", "1.136 L"], 1.45, [OWN, "Meadow Fresh"], "Creamy British whole milk.", "milk", False),
    ("Skimmed Milk", ["2.272 L"], 1.45, [OWN], "British skimmed milk.", "milk", False),
    ("Oat Drink", ["1 L"], 1.70, ["Oatly Farm", "Alpro Green"], "Creamy plant-based oat drink.", "milk alternative vegan", False),
    ("Almond Drink", ["1 L"], 1.80, ["Alpro Green"], "Unsweetened almond drink.", "milk alternative vegan", False),
    ("Salted Butter", ["250 g"], 2.10, [OWN, "Country Churn", "Anchorage"], "Creamy salted butter.", "butter", False),
    ("Unsalted Butter", ["250 g"], 2.10, [OWN, "Country Churn"], "Unsalted butter for baking.", "butter", False),
    ("Spreadable Butter", ["500 g"], 3.50, ["Country Churn", "Lurpak Danish"], "Spreads straight from the fridge.", "butter", False),
    ("Mature Cheddar", ["400 g", "200 g"], 3.20, [OWN, FINEST, "Cathedral Vale"], "Rich, full-flavoured cheddar.", "cheese", False),
    ("Mild Cheddar", ["400 g"], 2.90, [OWN, VALUE], "Smooth, mellow cheddar.", "cheese", False),
    ("Mozzarella", ["125 g"], 0.75, [OWN, "Galbani Latte"], "Soft Italian-style mozzarella.", "cheese", False),
    ("Grated Parmigiano Reggiano", ["100 g"], 2.50, [FINEST], "Aged hard Italian cheese, grated.", "cheese", False),
    ("Brie", ["200 g"], 1.80, [OWN, "Président Dairies"], "Creamy French brie.", "cheese", False),
    ("Greek Style Feta", ["200 g"], 1.65, [OWN, "Apetina Farm"], "Crumbly salad cheese.", "cheese", False),
    ("Halloumi", ["250 g"], 2.40, [OWN], "Grilling cheese.", "cheese", False),
    ("Cream Cheese", ["180 g"], 0.95, [OWN, "Philadelphia Creamery"], "Soft, smooth cream cheese.", "cheese", False),
    ("Free Range Eggs Large", ["6 pack", "12 pack"], 1.95, [OWN, "Happy Hens"], "Large free-range eggs.", "eggs", False),
    ("Free Range Eggs Medium", ["6 pack", "15 pack"], 1.60, [OWN, VALUE], "Medium free-range eggs.", "eggs", False),
    ("Greek Style Natural Yoghurt", ["500 g"], 1.25, [OWN, "Fage Valley"], "Thick and creamy natural yoghurt.", "yogurt", False),
    ("Strawberry Yoghurts", ["4 x 125 g"], 1.10, [OWN, "Müller Farm"], "Fruity strawberry yoghurts.", "yogurt", False),
    ("Fat Free Vanilla Yoghurt", ["4 x 120 g"], 1.30, ["Müller Farm"], "Light vanilla yoghurt.", "yogurt", False),
    ("Double Cream", ["300 ml"], 1.35, [OWN], "Thick British double cream.", "cream", False),
    ("Single Cream", ["300 ml"], 0.95, [OWN], "Pouring cream.", "cream", False),
    ("Crème Fraîche", ["300 ml"], 1.15, [OWN], "Rich, tangy crème fraîche.", "cream", False),
]

A["Meat & Fish"] = [
    ("British Chicken Breast Fillets", ["650 g", "300 g"], 5.25, [OWN, "Hillside Poultry"], "Skinless chicken breast fillets.", "chicken poultry", False),
    ("Whole Chicken", ["1.5 kg"], 4.75, [OWN, "Hillside Poultry"], "Whole British chicken.", "chicken poultry roast", False),
    ("Chicken Thighs", ["1 kg"], 3.50, [OWN], "Bone-in chicken thighs.", "chicken poultry", False),
    ("Beef Mince 5% Fat", ["500 g"], 4.20, [OWN, FINEST], "Lean British beef mince.", "beef", False),
    ("Beef Mince 12% Fat", ["500 g"], 3.10, [OWN, VALUE], "British beef mince.", "beef", False),
    ("Sirloin Steak", ["225 g"], 5.50, [FINEST], "Matured British sirloin steak.", "beef steak", False),
    ("Diced Beef", ["400 g"], 4.25, [OWN], "Diced beef for stewing.", "beef", False),
    ("Pork Sausages", ["400 g"], 2.30, [OWN, "Porkinson's Butchers", "Richmond Fields"], "Traditional British pork sausages.", "pork bangers", False),
    ("Smoked Back Bacon", ["300 g"], 2.60, [OWN, "Denby Dale"], "Rindless smoked back bacon.", "pork", False),
    ("Unsmoked Streaky Bacon", ["300 g"], 2.40, [OWN], "Thin-cut streaky bacon.", "pork", False),
    ("Pork Loin Steaks", ["500 g"], 3.80, [OWN], "Lean pork loin steaks.", "pork", False),
    ("Lamb Leg Steaks", ["400 g"], 6.20, [FINEST], "Tender British lamb steaks.", "lamb", False),
    ("Lamb Mince", ["500 g"], 4.50, [OWN], "British lamb mince.", "lamb", False),
    ("Cooked Ham Slices", ["120 g"], 1.75, [OWN, FINEST], "Thinly sliced cooked ham.", "deli", False),
    ("Chorizo Slices", ["100 g"], 1.60, ["Casa Iberica"], "Smoky Spanish chorizo.", "deli", False),
    ("Scottish Salmon Fillets", ["240 g"], 4.25, [OWN, FINEST], "Skin-on salmon fillets.", "fish", False),
    ("Cod Fillets", ["260 g"], 4.50, [OWN], "Boneless cod fillets.", "fish", False),
    ("Smoked Mackerel Fillets", ["200 g"], 2.20, [OWN], "Peppered smoked mackerel.", "fish", False),
    ("King Prawns", ["180 g"], 3.75, [OWN, FINEST], "Cooked and peeled king prawns.", "fish seafood", False),
    ("Smoked Salmon", ["100 g"], 3.25, [OWN, FINEST], "Scottish oak-smoked salmon.", "fish", False),
    ("Beef Brisket", ["per kg"], 11.00, ["Counter Cuts"], "Beef brisket cut to order, sold by weight.", "beef butcher", True),
    ("Sea Bass Fillets", ["per kg"], 18.50, ["Counter Cuts"], "Fresh sea bass fillets from the fish counter.", "fish counter", True),
]

A["Frozen"] = [
    ("Garden Peas", ["1 kg"], 1.40, [OWN, "Birds Eye View"], "Sweet frozen garden peas.", "vegetables", False),
    ("Mixed Vegetables", ["1 kg"], 1.10, [OWN, VALUE], "Carrots, peas, green beans and sweetcorn.", "vegetables", False),
    ("Sweetcorn", ["750 g"], 1.20, [OWN], "Frozen sweetcorn kernels.", "vegetables", False),
    ("Chunky Oven Chips", ["1.5 kg"], 1.80, [OWN, "McCain Fields"], "Crispy chunky oven chips.", "potatoes fries", False),
    ("Fish Fingers", ["10 pack", "20 pack"], 1.75, [OWN, "Birds Eye View"], "Cod fish fingers in breadcrumbs.", "fish", False),
    ("Breaded Chicken Goujons", ["400 g"], 2.50, [OWN], "Crispy chicken breast goujons.", "chicken", False),
    ("Beef Burgers", ["4 pack"], 2.75, [OWN, "Ironside Grill"], "Quarter-pound beef burgers.", "beef bbq", False),
    ("Margherita Pizza", ["each"], 2.00, [OWN, "Chicago Town House", "Pizza Express Home"], "Stone-baked tomato and mozzarella pizza.", "pizza", False),
    ("Pepperoni Pizza", ["each"], 2.50, [OWN, "Chicago Town House"], "Pizza loaded with pepperoni.", "pizza", False),
    ("Vegetable Lasagne", ["400 g"], 2.25, [OWN], "Ready meal: roasted vegetable lasagne.", "ready meal", False),
    ("Chicken Tikka Masala with Rice", ["450 g"], 3.00, [OWN, "Spice Route"], "Ready meal with pilau rice.", "ready meal indian curry", False),
    ("Vanilla Ice Cream", ["2 L"], 2.50, [OWN, "Carte Dor Gelato"], "Smooth vanilla ice cream.", "dessert", False),
    ("Salted Caramel Ice Cream", ["480 ml"], 4.50, ["Ben & Harry's", FINEST], "Indulgent salted caramel ice cream.", "dessert", False),
    ("Mint Choc Chip Ice Cream", ["900 ml"], 2.80, [OWN], "Cool mint ice cream with chocolate chips.", "dessert", False),
    ("Frozen Raspberries", ["350 g"], 2.25, [OWN], "Frozen British raspberries.", "fruit", False),
    ("Frozen Mango Chunks", ["500 g"], 2.50, [OWN], "Ripe mango pieces for smoothies.", "fruit", False),
    ("Vegetable Spring Rolls", ["12 pack"], 1.75, [OWN], "Crispy vegetable spring rolls.", "chinese party food", False),
    ("Yorkshire Puddings", ["12 pack"], 1.00, [OWN, "Aunt Bessie's Kitchen"], "Golden Yorkshire puddings.", "roast", False),
]

A["Pantry"] = [
    ("Spaghetti", ["500 g", "1 kg"], 0.85, [OWN, VALUE, "De Cecco Italia"], "Durum wheat dried pasta.", "pasta", False),
    ("Penne", ["500 g"], 0.85, [OWN, VALUE, "De Cecco Italia"], "Durum wheat pasta tubes.", "pasta", False),
    ("Fusilli", ["500 g"], 0.85, [OWN, "De Cecco Italia"], "Durum wheat pasta spirals.", "pasta", False),
    ("Basmati Rice", ["1 kg", "500 g"], 2.20, [OWN, "Tilda Fields"], "Fragrant long-grain basmati rice.", "rice", False),
    ("Long Grain Rice", ["1 kg"], 1.10, [VALUE], "Fluffy long-grain rice.", "rice", False),
    ("Arborio Risotto Rice", ["500 g"], 1.60, [OWN], "Italian risotto rice.", "rice", False),
    ("Chopped Tomatoes", ["400 g", "4 x 400 g"], 0.55, [OWN, VALUE, "Napolina Sun"], "Italian chopped tomatoes in juice.", "tins canned", False),
    ("Baked Beans", ["415 g", "4 x 415 g"], 0.85, [OWN, "Heinz & Co"], "Beans in tomato sauce.", "tins canned", False),
    ("Chickpeas", ["400 g"], 0.60, [OWN], "Chickpeas in water.", "tins canned pulses", False),
    ("Red Kidney Beans", ["400 g"], 0.55, [OWN], "Kidney beans in water.", "tins canned pulses", False),
    ("Tuna Chunks in Spring Water", ["4 x 145 g"], 3.50, [OWN, "John West Coast"], "Skipjack tuna chunks.", "tins canned fish", False),
    ("Coconut Milk", ["400 ml"], 1.10, [OWN, "Blue Lagoon"], "Rich coconut milk for curries.", "tins", False),
    ("Tomato Ketchup", ["460 g"], 1.50, [OWN, "Heinz & Co"], "Classic tomato ketchup.", "sauce condiment", False),
    ("Mayonnaise", ["400 ml"], 1.75, [OWN, "Hellmann Foods"], "Creamy real mayonnaise.", "sauce condiment", False),
    ("Basil Pesto", ["190 g"], 1.60, [OWN, "Sacla Italia"], "Classic green pesto.", "sauce pasta", False),
    ("Tomato & Basil Pasta Sauce", ["500 g"], 1.20, [OWN, "Dolmio Kitchen"], "Smooth tomato sauce with basil.", "sauce pasta", False),
    ("Extra Virgin Olive Oil", ["500 ml", "1 L"], 4.50, [OWN, FINEST, "Filippo Berio Estate"], "Cold-pressed extra virgin olive oil.", "oil", False),
    ("Sunflower Oil", ["1 L"], 1.65, [OWN], "Light sunflower oil for frying.", "oil", False),
    ("Plain Flour", ["1.5 kg"], 0.90, [OWN, "Allinson Mill"], "Plain white flour for baking.", "baking", False),
    ("Self Raising Flour", ["1.5 kg"], 0.90, [OWN], "Self-raising white flour.", "baking", False),
    ("Caster Sugar", ["1 kg"], 1.25, [OWN, "Silver Spoon"], "Fine white caster sugar.", "baking", False),
    ("Granulated Sugar", ["1 kg"], 0.99, [VALUE], "Everyday white sugar.", "baking", False),
    ("Vegetable Stock Cubes", ["10 pack"], 0.85, [OWN, "Oxo House"], "Vegetable stock cubes.", "gravy", False),
    ("Gravy Granules", ["200 g"], 1.40, ["Bisto Kitchen"], "Rich gravy granules.", "gravy", False),
    ("Sea Salt", ["350 g"], 0.85, [OWN], "Natural sea salt flakes.", "seasoning", False),
    ("Black Peppercorns", ["100 g"], 1.80, [OWN], "Whole black peppercorns.", "seasoning spices", False),
    ("Ground Cumin", ["45 g"], 1.05, [OWN, "Schwartz Spice"], "Warm, earthy ground cumin.", "spices", False),
    ("Medium Curry Powder", ["90 g"], 1.10, [OWN], "A balanced medium curry powder.", "spices indian", False),
    ("Soy Sauce", ["150 ml"], 1.30, ["Kikko Brew", OWN], "Naturally brewed soy sauce.", "sauce chinese", False),
    ("Red Lentils", ["500 g"], 1.20, [OWN], "Split red lentils.", "pulses", False),
]

A["Breakfast"] = [
    ("Porridge Oats", ["1 kg", "500 g"], 1.00, [OWN, VALUE, "Quaker Mills"], "Wholegrain rolled oats.", "oats cereal", False),
    ("Cornflakes", ["500 g"], 1.50, [OWN, "Kellogg Fields"], "Crisp toasted cornflakes.", "cereal", False),
    ("Wheat Biscuits", ["24 pack"], 2.75, [OWN, "Weeta Bix"], "Wholegrain wheat biscuits.", "cereal", False),
    ("Fruit & Nut Muesli", ["750 g"], 2.40, [OWN, "Alpen Valley"], "Muesli with fruit and nuts.", "cereal", False),
    ("Crunchy Granola", ["500 g"], 2.50, [OWN, FINEST, "Jordans Farm"], "Oat clusters baked with honey.", "cereal", False),
    ("Chocolate Hoops", ["375 g"], 2.20, ["Kellogg Fields"], "Chocolatey cereal hoops.", "cereal kids", False),
    ("Bran Flakes", ["750 g"], 1.60, [OWN], "High-fibre bran flakes.", "cereal", False),
    ("Smooth Peanut Butter", ["340 g"], 1.95, [OWN, "Whole Earth Foods"], "Smooth roasted peanut butter.", "spread", False),
    ("Crunchy Peanut Butter", ["340 g"], 1.95, [OWN, "Whole Earth Foods"], "Crunchy roasted peanut butter.", "spread", False),
    ("Strawberry Jam", ["454 g"], 1.20, [OWN, "Bonne Maison"], "Classic strawberry jam.", "spread preserve", False),
    ("Thick Cut Orange Marmalade", ["454 g"], 1.30, [OWN, "Robertson & Sons"], "Bitter orange marmalade.", "spread preserve", False),
    ("Clear Honey", ["340 g"], 2.00, [OWN, "Rowse Hives"], "Pure clear honey.", "spread", False),
    ("Chocolate Hazelnut Spread", ["400 g"], 2.75, ["Nutello Co", OWN], "Smooth chocolate hazelnut spread.", "spread", False),
    ("Yeast Extract", ["250 g"], 3.25, ["Marmite Works"], "Savoury yeast extract spread.", "spread", False),
    ("Maple Syrup", ["250 ml"], 3.50, [FINEST], "Pure Canadian maple syrup.", "pancakes", False),
    ("Pancake Mix", ["155 g"], 1.00, [OWN], "Just add water and shake.", "pancakes baking", False),
]

A["Drinks"] = [
    ("Still Spring Water", ["6 x 500 ml", "2 L"], 1.50, [OWN, "Highland Spring Co", "Evian Alps"], "Natural still spring water.", "water", False),
    ("Sparkling Water", ["1 L"], 0.60, [OWN, "San Pellegrino Fonte"], "Naturally sparkling mineral water.", "water", False),
    ("Cola", ["2 L", "8 x 330 ml"], 1.95, [OWN, "Coca Co", "Pepsico Classic"], "Classic cola.", "soft drinks fizzy", False),
    ("Diet Cola", ["2 L"], 1.95, [OWN, "Coca Co"], "Sugar-free cola.", "soft drinks fizzy", False),
    ("Lemonade", ["2 L"], 0.85, [OWN, "Sprite Springs"], "Sparkling lemonade.", "soft drinks fizzy", False),
    ("Orange Juice with Bits", ["1 L"], 1.60, [OWN, "Tropicana Grove"], "Squeezed orange juice with bits.", "juice", False),
    ("Smooth Orange Juice", ["1 L"], 1.60, [OWN, "Tropicana Grove"], "Squeezed orange juice, no bits.", "juice", False),
    ("Apple Juice", ["1 L"], 1.20, [OWN], "Pressed apple juice.", "juice", False),
    ("Orange Squash", ["1 L"], 1.10, [OWN, "Robinsons Barley"], "No added sugar orange squash.", "squash cordial", False),
    ("Blackcurrant Cordial", ["850 ml"], 2.60, ["Ribena House"], "Blackcurrant cordial.", "squash cordial", False),
    ("English Breakfast Tea Bags", ["80 pack", "240 pack"], 2.50, [OWN, "Yorkshire Brew", "PG Leaves"], "Strong, rich black tea.", "tea", False),
    ("Green Tea Bags", ["40 pack"], 1.90, [OWN, "Twinings Garden"], "Light, refreshing green tea.", "tea", False),
    ("Peppermint Tea Bags", ["20 pack"], 1.20, [OWN, "Pukka Herbs"], "Caffeine-free peppermint infusion.", "tea herbal", False),
    ("Ground Coffee", ["227 g"], 3.50, [OWN, FINEST, "Lavazza Roma"], "Medium roast ground coffee.", "coffee", False),
    ("Coffee Beans", ["1 kg"], 11.00, [FINEST, "Lavazza Roma"], "Whole espresso beans.", "coffee", False),
    ("Instant Coffee", ["200 g"], 5.50, [OWN, "Nescafe Gold Blend"], "Rich freeze-dried instant coffee.", "coffee", False),
    ("Hot Chocolate", ["400 g"], 2.50, [OWN, "Cadbury Cocoa"], "Just add hot water.", "chocolate drink", False),
    ("Energy Drink", ["250 ml"], 1.35, ["Red Bolt", "Monstrous"], "Caffeinated energy drink.", "soft drinks", False),
    ("Ginger Beer", ["4 x 330 ml"], 2.50, ["Fentimans Brewery", OWN], "Fiery brewed ginger beer.", "soft drinks fizzy", False),
    ("Tonic Water", ["1 L"], 1.10, [OWN, "Fever Tree Mixers"], "Indian tonic water.", "mixer", False),
]

A["Snacks"] = [
    ("Ready Salted Crisps", ["6 x 25 g"], 1.50, [OWN, "Walkers Crisp Co"], "Classic ready salted crisps.", "crisps", False),
    ("Salt & Vinegar Crisps", ["6 x 25 g"], 1.50, [OWN, "Walkers Crisp Co"], "Tangy salt and vinegar crisps.", "crisps", False),
    ("Cheese & Onion Crisps", ["6 x 25 g"], 1.50, [OWN, "Walkers Crisp Co"], "Cheese and onion crisps.", "crisps", False),
    ("Sea Salt Hand Cooked Crisps", ["150 g"], 1.80, [FINEST, "Kettle Chips Co"], "Crunchy hand-cooked crisps.", "crisps", False),
    ("Tortilla Chips", ["200 g"], 1.25, [OWN, "Doritas"], "Lightly salted tortilla chips.", "crisps dips", False),
    ("Salted Popcorn", ["100 g"], 1.00, [OWN, "Propercorn"], "Lightly salted popcorn.", "popcorn", False),
    ("Salted Peanuts", ["200 g"], 1.10, [OWN, "KP Roasters"], "Roasted salted peanuts.", "nuts", False),
    ("Cashew Nuts", ["200 g"], 2.75, [OWN], "Whole cashews.", "nuts", False),
    ("Mixed Nuts & Raisins", ["200 g"], 2.00, [OWN], "Peanuts, raisins, almonds and hazelnuts.", "nuts dried fruit", False),
    ("Milk Chocolate Bar", ["100 g", "200 g"], 1.20, [OWN, "Cadbury Cocoa", "Lindt Swiss"], "Smooth milk chocolate.", "chocolate", False),
    ("Dark Chocolate 70%", ["100 g"], 1.60, [FINEST, "Lindt Swiss", "Green & Blacks"], "Rich dark chocolate.", "chocolate", False),
    ("Chocolate Digestives", ["300 g"], 1.50, [OWN, "McVitie's Bakery"], "Digestive biscuits with milk chocolate.", "biscuits", False),
    ("Rich Tea Biscuits", ["300 g"], 0.65, [OWN, VALUE], "Light, crisp biscuits for dunking.", "biscuits", False),
    ("Chocolate Chip Cookies", ["200 g"], 1.35, [OWN, "Maryland Bakes"], "Crunchy chocolate chip cookies.", "biscuits", False),
    ("Shortbread Fingers", ["160 g"], 1.75, [FINEST, "Walkers Highland"], "All-butter Scottish shortbread.", "biscuits", False),
    ("Fruit Pastilles", ["143 g"], 1.25, ["Rowntree Sweets"], "Chewy fruit sweets.", "sweets", False),
    ("Jelly Babies", ["190 g"], 1.00, [OWN, "Bassett & Co"], "Classic jelly sweets.", "sweets", False),
    ("Oat & Honey Cereal Bars", ["5 pack"], 1.40, [OWN, "Nature Valley Oats"], "Crunchy oat bars.", "bars", False),
    ("Rice Cakes", ["130 g"], 0.90, [OWN], "Lightly salted rice cakes.", "healthy", False),
    ("Houmous", ["200 g"], 1.10, [OWN], "Classic chickpea houmous.", "dips", False),
]

A["Household"] = [
    ("Toilet Tissue", ["9 rolls", "4 rolls"], 4.50, [OWN, "Andrex Soft", VALUE], "Soft, strong 3-ply toilet tissue.", "loo roll paper", False),
    ("Kitchen Roll", ["2 rolls"], 2.00, [OWN, "Plenty Absorb"], "Super-absorbent kitchen towels.", "paper", False),
    ("Washing Up Liquid", ["450 ml"], 1.20, [OWN, "Fairy Clean"], "Original washing up liquid.", "dishes", False),
    ("Dishwasher Tablets", ["30 pack"], 5.00, [OWN, "Finish Power"], "All-in-one dishwasher tablets.", "dishes", False),
    ("Laundry Liquid", ["1.5 L"], 5.50, [OWN, "Persil House", "Ariel Fresh"], "Non-bio laundry liquid, 40 washes.", "washing clothes", False),
    ("Laundry Capsules", ["24 pack"], 6.00, ["Persil House", "Ariel Fresh"], "Bio washing capsules.", "washing clothes", False),
    ("Fabric Conditioner", ["1.2 L"], 2.50, [OWN, "Comfort Blue"], "Fresh-scented fabric conditioner.", "washing clothes", False),
    ("Multi-Surface Cleaner Spray", ["500 ml"], 1.50, [OWN, "Flash Clean"], "Cuts through grease and grime.", "cleaning", False),
    ("Thick Bleach", ["750 ml"], 0.80, [OWN, "Domestos Pro"], "Kills 99.9% of germs.", "cleaning", False),
    ("Glass Cleaner", ["500 ml"], 1.25, [OWN], "Streak-free shine.", "cleaning", False),
    ("Anti-Bacterial Wipes", ["80 pack"], 1.75, [OWN, "Dettol Care"], "Surface wipes.", "cleaning", False),
    ("Bin Bags", ["20 pack"], 2.50, [OWN], "Heavy-duty 50 L bin liners.", "bags", False),
    ("Food Bags", ["50 pack"], 1.00, [OWN], "Resealable food bags.", "kitchen", False),
    ("Kitchen Foil", ["10 m"], 1.50, [OWN, "Bacofoil Pro"], "Heavy-duty aluminium foil.", "kitchen", False) if False else ("Kitchen Foil", ["1 pack"], 1.50, [OWN, "Bacofoil Pro"], "Heavy-duty aluminium foil, 10 m.", "kitchen", False),
    ("Cling Film", ["1 pack"], 1.20, [OWN], "Food-safe cling film, 30 m.", "kitchen", False),
    ("Sponge Scourers", ["10 pack"], 1.00, [OWN], "Non-scratch sponge scourers.", "cleaning dishes", False),
    ("AA Batteries", ["4 pack"], 3.50, [OWN, "Duracell Power"], "Long-lasting alkaline batteries.", "electrical", False),
    ("LED Light Bulb", ["each"], 2.50, [OWN, "Philips Glow"], "60 W equivalent bayonet bulb.", "electrical", False),
    ("Tea Lights", ["50 pack"], 2.00, [OWN], "Unscented tea light candles.", "candles", False),
]

A["Baby"] = [
    ("Nappies Size 3", ["44 pack"], 6.50, [OWN, "Pampers Baby", "Huggies Soft"], "Nappies for 6-10 kg.", "nappies diapers", False),
    ("Nappies Size 4", ["40 pack"], 6.50, [OWN, "Pampers Baby", "Huggies Soft"], "Nappies for 9-14 kg.", "nappies diapers", False),
    ("Nappies Size 5", ["36 pack"], 6.50, [OWN, "Pampers Baby"], "Nappies for 11-16 kg.", "nappies diapers", False),
    ("Newborn Nappies Size 1", ["24 pack"], 4.00, [OWN, "Pampers Baby"], "Gentle nappies for 2-5 kg.", "nappies diapers", False),
    ("Fragrance Free Baby Wipes", ["64 pack", "4 x 64 pack"], 1.20, [OWN, "WaterWipes Pure", "Pampers Baby"], "Gentle wipes for sensitive skin.", "wipes", False),
    ("First Infant Milk", ["800 g"], 11.50, ["Aptamil Care", "Cow & Gate Baby"], "Suitable from birth.", "formula milk", False),
    ("Follow On Milk", ["800 g"], 10.50, ["Aptamil Care", "Cow & Gate Baby"], "From 6 months.", "formula milk", False),
    ("Baby Porridge", ["200 g"], 1.60, [OWN, "Ella's Little Kitchen"], "Smooth oat porridge from 6 months.", "baby food", False),
    ("Apple & Banana Puree Pouch", ["70 g"], 0.95, ["Ella's Little Kitchen", OWN], "Fruit puree from 4 months.", "baby food", False),
    ("Vegetable Risotto Jar", ["190 g"], 1.25, ["Hipp Organic Baby"], "Organic baby meal from 7 months.", "baby food", False),
    ("Baby Rice Cakes", ["40 g"], 1.10, ["Kiddylicious Snacks"], "Melt-in-the-mouth baby snacks.", "baby snacks", False),
    ("Baby Shampoo", ["300 ml"], 2.50, [OWN, "Johnson's Baby"], "Gentle no-tears shampoo.", "toiletries", False),
    ("Nappy Cream", ["100 g"], 3.25, ["Sudocrem Care", "Bepanthen Baby"], "Soothing nappy rash cream.", "toiletries", False),
    ("Baby Bottles", ["2 pack"], 9.00, ["Tommee Tippee Care"], "Anti-colic feeding bottles, 260 ml.", "feeding", False),
]

A["Health & Beauty"] = [
    ("Whitening Toothpaste", ["75 ml"], 2.25, [OWN, "Colgate Smile", "Sensodyne Care"], "Fluoride toothpaste.", "teeth oral care", False),
    ("Sensitive Toothpaste", ["75 ml"], 4.00, ["Sensodyne Care", OWN], "For sensitive teeth.", "teeth oral care", False),
    ("Medium Toothbrushes", ["2 pack"], 2.00, [OWN, "Oral-Be"], "Medium-bristle manual toothbrushes.", "teeth oral care", False),
    ("Mouthwash", ["500 ml"], 3.00, [OWN, "Listerine Fresh"], "Cool mint mouthwash.", "teeth oral care", False),
    ("Shampoo for Normal Hair", ["400 ml"], 2.50, [OWN, "Herbal Essence", "Pantene Pro"], "Everyday shampoo.", "hair", False),
    ("Conditioner", ["400 ml"], 2.50, [OWN, "Herbal Essence", "Pantene Pro"], "Smoothing conditioner.", "hair", False),
    ("Shower Gel", ["250 ml"], 1.50, [OWN, "Radox Relax", "Dove Care"], "Refreshing shower gel.", "bath body", False),
    ("Moisturising Hand Wash", ["250 ml"], 1.00, [OWN, "Carex Clean"], "Antibacterial hand wash.", "soap", False),
    ("Bar Soap", ["4 pack"], 2.00, [OWN, "Dove Care"], "Moisturising beauty bars.", "soap", False),
    ("Roll-On Deodorant", ["50 ml"], 1.75, [OWN, "Sure Dry", "Dove Care"], "48-hour protection.", "deodorant", False),
    ("Body Lotion", ["400 ml"], 4.00, [OWN, "Nivea Skin", "E45 Derma"], "Moisturising body lotion.", "skin", False),
    ("SPF 30 Sun Cream", ["200 ml"], 6.00, [OWN, "Ambre Solaire Sun"], "High protection sun lotion.", "skin sun", False),
    ("Face Wipes", ["25 pack"], 1.50, [OWN, "Simple Skin"], "Gentle cleansing wipes.", "skin face", False),
    ("Paracetamol Tablets 500 mg", ["16 pack"], 0.50, [OWN, "Panadol Relief"], "For pain and fever.", "medicine painkillers", False),
    ("Ibuprofen Tablets 200 mg", ["16 pack"], 0.60, [OWN, "Nurofen Relief"], "For pain and inflammation.", "medicine painkillers", False),
    ("Vitamin C Tablets", ["60 pack"], 2.50, [OWN, "Berocca Boost"], "1000 mg vitamin C.", "vitamins", False),
    ("Multivitamins", ["30 pack"], 3.50, [OWN, "Centrum Daily"], "A-Z multivitamins.", "vitamins", False),
    ("Plasters", ["40 pack"], 2.00, [OWN, "Elastoplast Care"], "Assorted fabric plasters.", "first aid", False),
    ("Cotton Buds", ["200 pack"], 0.75, [OWN], "Pure cotton buds.", "cotton", False),
    ("Tissues", ["3 pack"], 2.25, [OWN, "Kleenex Soft"], "Soft facial tissues.", "paper", False),
]

A["Pet"] = [
    ("Cat Food Pouches in Gravy", ["12 x 100 g"], 4.50, [OWN, "Felix Purr", "Whiskas Choice"], "Complete wet food for adult cats.", "cat", False),
    ("Dry Cat Food Chicken", ["2 kg"], 6.00, [OWN, "Purina One Cat"], "Complete dry food for adult cats.", "cat", False),
    ("Kitten Food Pouches", ["12 x 85 g"], 4.75, ["Whiskas Choice"], "Complete wet food for kittens.", "cat kitten", False),
    ("Cat Treats", ["60 g"], 1.25, ["Dreamies Treats"], "Crunchy cat treats.", "cat", False),
    ("Clumping Cat Litter", ["10 L"], 5.00, [OWN, "Catsan Clean"], "Odour-control clumping litter.", "cat", False),
    ("Dog Food Tins in Jelly", ["6 x 400 g"], 5.50, [OWN, "Pedigree Pal", "Butcher's Choice"], "Complete wet food for adult dogs.", "dog", False),
    ("Dry Dog Food Beef", ["2.6 kg"], 7.50, [OWN, "Bakers Dog", "Harringtons Natural"], "Complete dry food for adult dogs.", "dog", False),
    ("Puppy Food", ["2 kg"], 8.00, ["Harringtons Natural"], "Complete dry food for puppies.", "dog puppy", False),
    ("Dental Dog Chews", ["7 pack"], 2.50, ["Pedigree Pal", OWN], "Daily dental sticks.", "dog", False),
    ("Gravy Bones Dog Biscuits", ["400 g"], 1.50, [OWN, "Bonio Bakes"], "Meaty dog biscuits.", "dog", False),
    ("Dog Poo Bags", ["120 pack"], 2.00, [OWN], "Leak-proof, scented.", "dog", False),
    ("Wild Bird Seed", ["2 kg"], 3.50, [OWN], "Seed mix for garden birds.", "birds", False),
    ("Small Animal Food", ["1 kg"], 3.00, ["Burgess Excel"], "Nuggets for rabbits and guinea pigs.", "rabbit", False),
]

PREFIX = {
    "Fruit & Veg": "FV", "Bakery": "BK", "Dairy & Eggs": "DE", "Meat & Fish": "MF", "Frozen": "FZ",
    "Pantry": "PA", "Breakfast": "BR", "Drinks": "DR", "Snacks": "SN", "Household": "HH",
    "Baby": "BB", "Health & Beauty": "HB", "Pet": "PT",
}
ORGANIC = "GoMart Organic"
TIER = {OWN: 1.0, FINEST: 1.45, VALUE: 0.7, ORGANIC: 1.3}
# Every n-th base product in these aisles also comes in an organic version.
ORGANIC_EVERY = {"Fruit & Veg": 2, "Dairy & Eggs": 2, "Pantry": 2, "Breakfast": 2, "Baby": 2, "Bakery": 2,
                 "Meat & Fish": 3, "Drinks": 3}


def scale_for(size, first):
    """How much more a bigger or multipack size costs, roughly (with a bulk discount)."""
    def quantity(s):
        s = s.replace("×", "x")
        mult = 1
        if " x " in s:
            a, s = s.split(" x ", 1)
            mult = int(a)
        num, unit = s.split(" ", 1)
        q = float(num) * mult
        return q * (1000 if unit in ("kg", "L") else 1)
    try:
        ratio = quantity(size) / quantity(first)
    except ValueError:
        return 1.0
    return ratio ** 0.85


WEIGHING_COLUMNS = ["weight_step_g", "weight_min_g", "weight_max_g", "average_weight_g", "weight_tolerance_percent"]
# step, least, most (grams) for goods bought by weight; or an average weight for goods bought by
# count; and the tolerance in per cent.
WEIGHING = {
    "Bananas": ("", "", "", "180", "10"),
    "Braeburn Apples": ("250", "250", "3000", "", "10"),
    "Carrots": ("250", "500", "3000", "", "10"),
    "Sweet Potatoes": ("", "", "", "300", "15"),
    "Parsnips": ("250", "250", "2000", "", "10"),
    "Fresh Ginger": ("50", "50", "500", "", "20"),
    "Beef Brisket": ("250", "500", "3000", "", "10"),
    "Sea Bass Fillets": ("", "", "", "140", "10"),
}


def main(out):
    rows = []
    featured_budget = {}
    for aisle, items in A.items():
        counter = 0
        for index, (name, sizes, base, brands, description, keywords, loose) in enumerate(items):
            every = ORGANIC_EVERY.get(aisle)
            if every and index % every == 0:
                brands = brands + [ORGANIC]
            for brand in brands:
                tier = TIER.get(brand, rng.uniform(1.05, 1.35))
                for size in sizes:
                    by_weight = size == "per kg"
                    if loose is None and by_weight:
                        by_weight = True
                    price = base * tier * (1.0 if by_weight else scale_for(size, sizes[0]))
                    price = max(0.25, round(price * rng.uniform(0.95, 1.05), 2))
                    # Prices end in 5 or 9 pence, as shelf prices do.
                    pence = int(round(price * 100))
                    pence = pence - pence % 5 + (0 if pence % 10 < 5 else 5)
                    if pence % 10 == 0 and rng.random() < 0.4:
                        pence -= 1
                    counter += 1
                    sku = f"{PREFIX[aisle]}-{counter:04d}"
                    product_name = f"{brand} {name}" if brand in (OWN, FINEST, VALUE, ORGANIC) else name
                    if by_weight:
                        product_name = f"Loose {'Organic ' if brand == ORGANIC else ''}{name}"
                    stock = rng.choice([0, 3, 8] + [rng.randint(15, 400)] * 12)
                    featured_budget.setdefault(aisle, 0)
                    featured = featured_budget[aisle] < 2 and stock > 10 and rng.random() < 0.3
                    if featured:
                        featured_budget[aisle] += 1
                    rows.append({
                        "sku": sku,
                        "name": product_name,
                        "brand": brand,
                        "aisle": aisle,
                        "price": f"{pence // 100}.{pence % 100:02d}",
                        "pack_size": size.replace(" x ", " × "),
                        "stock": stock,
                        "sold_by_weight": "yes" if by_weight else "no",
                        "description": ("Organically grown. " if brand == ORGANIC else "") + description,
                        "featured": "yes" if featured else "no",
                        "keywords": keywords + (" organic" if brand == ORGANIC else ""),
                    })
    for row in rows:
        row.update(food_columns(row["name"], row["aisle"], row["keywords"]))
        # Loose goods: how they are bought (by weight in steps, or by count of about an average
        # weight) and weighed, with their stock in grams.
        weighing = WEIGHING.get(row["name"].replace("Loose ", "").replace("Organic ", "")) if row["sold_by_weight"] == "yes" else None
        if weighing:
            row["stock"] = row["stock"] * 1000
        row.update(zip(WEIGHING_COLUMNS, weighing or ("",) * len(WEIGHING_COLUMNS)))
        # Returnable deposits on drinks in bottles and cans: 20p a container.
        containers = int(row["pack_size"].split(" × ")[0]) if " × " in row["pack_size"] else 1
        deposit = 20 * containers if row["aisle"] == "Drinks" and any(word in row["keywords"] for word in ("water", "soft drinks", "mixer")) else 0
        row["deposit"] = f"{deposit // 100}.{deposit % 100:02d}" if deposit else ""
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = {}
    for row in rows:
        counts[row["aisle"]] = counts.get(row["aisle"], 0) + 1
    print(f"{len(rows)} products in {len(counts)} aisles: {counts}", file=sys.stderr)


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    main(sys.argv[1] if len(sys.argv) > 1 else root / "Sources/Catalog/Resources/demo-catalogue.csv")
