#!/usr/bin/env python3
"""Writes a large, realistic catalogue CSV for benchmarks: N products across the demo aisles.

Usage: bench/generate-catalogue.py N OUT.csv [--stock UNITS]

Every demo product is the seed of a family of variants (brand, pack size and price vary), so
search, aisles and recommendations see the same kind of data as the demo shop, only more of it.
Deterministic for a given N.
"""
import argparse
import csv
import random
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("count", type=int)
parser.add_argument("out")
parser.add_argument("--stock", type=int, default=None, help="units of every product (default: varied)")
args = parser.parse_args()

demo = Path(__file__).resolve().parent.parent / "Sources/Catalog/Resources/demo-catalogue.csv"
with demo.open(newline="", encoding="utf-8") as handle:
    seeds = list(csv.DictReader(handle))

rng = random.Random(args.count)
brands = ["GoMart", "GoMart Finest", "GoMart Everyday", "Hillside", "Riverbank", "Northfield", "Meadow Lane",
          "Old Mill", "Blue Harbour", "Greenacre", "Sunrise", "Kitchen Table"]
sizes = {"g": [100, 150, 200, 250, 300, 400, 500, 750, 1000], "ml": [250, 330, 500, 750, 1000, 2000], "pack": [2, 4, 6, 8, 12]}
fields = ["sku", "name", "brand", "aisle", "price", "pack_size", "stock", "sold_by_weight", "description", "featured", "keywords"]

with open(args.out, "w", newline="", encoding="utf-8") as handle:
    writer = csv.DictWriter(handle, fieldnames=fields)
    writer.writeheader()
    for index in range(args.count):
        seed = seeds[index % len(seeds)]
        family = index // len(seeds)
        row = dict(seed)
        row["sku"] = f"GEN-{index + 1:06d}"
        if family:
            brand = brands[(family + index) % len(brands)]
            kind = rng.choice(list(sizes))
            amount = rng.choice(sizes[kind])
            pack = f"{amount} {kind}" if kind != "pack" else f"{amount} pack"
            if seed["sold_by_weight"] == "yes":
                pack = "per kg"
            row["brand"] = brand
            row["pack_size"] = pack
            row["name"] = f"{seed['name']} No. {family + 1}"
            price = float(seed["price"]) * rng.uniform(0.6, 1.8)
            row["price"] = f"{max(price, 0.15):.2f}"
            row["featured"] = "no"
        row["stock"] = str(args.stock if args.stock is not None else rng.choice([0, 3, 8, 25, 60, 120, 400]))
        if seed["sold_by_weight"] == "yes":
            row["stock"] = str(int(row["stock"]) * 1000)  # loose goods' stock is in grams
        writer.writerow({key: row.get(key, "") for key in fields})
print(f"wrote {args.count} products to {args.out}")
