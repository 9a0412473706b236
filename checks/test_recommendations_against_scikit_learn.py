"""GoMart's k-nearest neighbours against scikit-learn's, on the exported demo catalogue.

Runs the real binary (GOMART_BINARY): seeds a fresh data folder with the demo catalogue,
`gomart ml export`, `gomart ml train` with each metric, then checks that every item's ten
nearest neighbours are the ones `NearestNeighbors(algorithm="brute")` finds on the feature
matrix GoMart wrote, with ties broken by item id on both sides.
"""
import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

BINARY = os.environ.get("GOMART_BINARY", ".build/debug/gomart")
K = 10


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("ml")
    env = dict(os.environ, GOMART_DATA_DIR=str(root / "data"), GOMART_LOG_LEVEL="warning")
    subprocess.run([BINARY, "seed"], env=env, check=True, capture_output=True)
    subprocess.run([BINARY, "ml", "export", "--out", str(root / "export")], env=env, check=True, capture_output=True)
    return root, env


def train(root, env, metric):
    models = root / f"models-{metric}"
    subprocess.run([BINARY, "ml", "train", "--data", str(root / "export"), "--models", str(models), "--metric", metric],
                   env=env, check=True, capture_output=True)
    features = next(models.glob("features-*.csv"))
    neighbours = next(models.glob("neighbours-*.csv"))
    return features, neighbours


def read_features(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, rows = rows[0], rows[1:]
    ids = [row[0] for row in rows]
    matrix = np.array([[float(value) for value in row[1:]] for row in rows])
    return header, ids, matrix


def read_neighbours(path):
    """GoMart's neighbours per item, in its order, with their distances."""
    found = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["id"], []).append((int(row["rank"]), row["neighbour"], float(row["distance"])))
    return {item: [(neighbour, distance) for _, neighbour, distance in sorted(ranked)] for item, ranked in found.items()}


def reference_neighbours(ids, matrix, metric):
    """scikit-learn's brute-force neighbours, ties (equal to 1e-9) broken by id."""
    candidates = len(ids)  # every item: no tie at the tenth place can be cut off
    model = NearestNeighbors(n_neighbors=candidates, algorithm="brute", metric=metric).fit(matrix)
    distances, indices = model.kneighbors(matrix)
    result = {}
    for row, item in enumerate(ids):
        ranked = sorted(
            ((round(float(distance), 9), ids[index]) for distance, index in zip(distances[row], indices[row]) if index != row),
        )
        result[item] = [neighbour for _, neighbour in ranked[:K]]
    return result


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_every_items_neighbours_match_scikit_learn(exported, metric):
    root, env = exported
    features, neighbours = train(root, env, metric)
    header, ids, matrix = read_features(features)
    assert header[:3] == ["id", "log_price", "unit_price"]
    assert len(ids) == 636 and matrix.shape[1] == len(header) - 1
    ours = read_neighbours(neighbours)
    theirs = reference_neighbours(ids, matrix, metric)
    assert set(ours) == set(ids)
    different = [item for item in ids if {n for n, _ in ours[item]} != set(theirs[item])]
    assert different == [], f"{len(different)} items differ, e.g. {different[:3]}"
    # The same order too: by distance, then id, where distances agree to 1e-9 (sums taken in
    # another order differ in the last bits, which must not count as a different ranking).
    reordered = [item for item in ids if [n for _, n in sorted((round(d, 9), n) for n, d in ours[item])] != theirs[item]]
    assert reordered == [], f"{len(reordered)} items list the same neighbours in another order"
    # And GoMart's own order is by distance.
    assert all(ours[item][i][1] <= ours[item][i + 1][1] for item in ids for i in range(K - 1))


def test_the_export_has_no_personal_data_and_checks_out(exported):
    root, _ = exported
    manifest = (root / "export" / "manifest.json").read_text()
    assert '"schemaVersion" : 1' in manifest
    items = (root / "export" / "items.csv").read_text().splitlines()
    assert items[0] == "id,name,aisle,brand,price_minor,unit_price_minor,unit,sold_by_weight,in_stock"
    assert len(items) == 637
    orders = (root / "export" / "orders.csv").read_text()
    assert orders.splitlines()[0] == "order,customer,time,product,quantity"
    assert "@" not in orders
