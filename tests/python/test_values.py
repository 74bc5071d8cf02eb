"""Values between Python and lora: parameters in, results out, entities, vectors."""

import math
import unittest

import lora


class ValuesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = lora.Database(shards=2)

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def echo(self, value):
        result = self.db.execute("RETURN $v AS v", {"v": value})
        self.assertEqual(result.columns, ["v"])
        self.assertEqual(len(result.rows), 1)
        return result.rows[0][0]

    def test_scalars_round_trip_with_their_types(self):
        for value in [None, True, False, 0, -1, 2**63 - 1, -(2**63), 1.5, -0.0, 1e308,
                      "", "héllo ✓ 日本", "a\x00b"]:
            with self.subTest(value=value):
                back = self.echo(value)
                self.assertEqual(back, value)
                self.assertIs(type(back), type(value))
        self.assertTrue(math.isnan(self.echo(float("nan"))))
        self.assertEqual(self.echo(float("-inf")), float("-inf"))

    def test_nested_lists_and_maps_round_trip(self):
        value = {"a": [1, "x", None, [2.5, {"b": True}]], "c": {}, "d": [], "é": {"f": [[]]}}
        self.assertEqual(self.echo(value), value)
        self.assertEqual(self.echo((1, (2, 3))), [1, [2, 3]])  # tuples become lists

    def test_query_results_have_python_types(self):
        row = self.db.execute(
            "RETURN 1 AS i, 2.0 AS f, 's' AS s, true AS b, null AS n, [1, 'a'] AS l, "
            "{k: [1, {m: 2}]} AS m"
        ).rows[0]
        self.assertEqual(row, (1, 2.0, "s", True, None, [1, "a"], {"k": [1, {"m": 2}]}))
        self.assertEqual([type(v) for v in row], [int, float, str, bool, type(None), list, dict])

    def test_result_columns_rows_iteration_and_stats(self):
        result = self.db.execute(
            "UNWIND range(1, 3) AS i CREATE (:R {i: i}) RETURN i, i * i AS sq ORDER BY i"
        )
        self.assertEqual(result.columns, ["i", "sq"])
        self.assertEqual(result.rows, [(1, 1), (2, 4), (3, 9)])
        self.assertEqual(list(result), result.rows)
        self.assertEqual(len(result), 3)
        self.assertEqual(result.stats["nodes_created"], 3)
        self.assertEqual(result.stats["properties_set"], 3)

    def test_nodes_relationships_and_paths(self):
        a, r, b = self.db.execute(
            "CREATE (a:Person:Admin {name: 'Ann', age: 41})-[r:KNOWS {since: 2020}]->"
            "(b:Person {name: 'Bob', tags: ['x', 'y']}) RETURN a, r, b"
        ).rows[0]
        self.assertIsInstance(a, lora.Node)
        self.assertIsInstance(a.id, int)
        self.assertEqual(a.labels, frozenset({"Person", "Admin"}))
        self.assertEqual(a.properties, {"name": "Ann", "age": 41})
        self.assertEqual(a["name"], "Ann")
        self.assertEqual(a.get("missing", 7), 7)
        self.assertIn("age", a)
        self.assertEqual(sorted(a.keys()), ["age", "name"])
        with self.assertRaises(KeyError):
            a["missing"]
        self.assertEqual(b["tags"], ["x", "y"])

        self.assertIsInstance(r, lora.Relationship)
        self.assertEqual(r.type, "KNOWS")
        self.assertEqual((r.start, r.end), (a.id, b.id))
        self.assertEqual(r["since"], 2020)

        (p,) = self.db.execute(
            "MATCH p = (:Person {name: 'Ann'})-[:KNOWS]->(:Person {name: 'Bob'}) RETURN p"
        ).rows[0]
        self.assertIsInstance(p, lora.Path)
        self.assertEqual(len(p), 1)
        self.assertEqual(p.nodes, (a, b))
        self.assertEqual(p.relationships, (r,))
        self.assertEqual((p.start_node["name"], p.end_node["name"]), ("Ann", "Bob"))
        self.assertEqual(list(p), [r])

        # Entities inside lists and maps, read again: equal by id, same data.
        (nested,) = self.db.execute(
            "MATCH (a:Person {name: 'Ann'})-[r:KNOWS]->(b) RETURN [a, {rel: r, to: b}] AS x"
        ).rows[0]
        self.assertEqual(nested[0], a)
        self.assertEqual(nested[0].labels, a.labels)
        self.assertEqual(nested[1]["rel"], r)
        self.assertEqual(nested[1]["to"]["name"], "Bob")
        self.assertEqual(len({a, nested[0], b}), 2)  # hashable by id

    def test_vectors(self):
        (v,) = self.db.execute("RETURN vector([1, 2.5, -3]) AS v").rows[0]
        self.assertIsInstance(v, lora.Vector)
        self.assertEqual(v.coords, (1.0, 2.5, -3.0))
        back, dim = self.db.execute(
            "RETURN $v AS v, vector.dimension($v) AS d", {"v": lora.Vector([0.5, 4])}
        ).rows[0]
        self.assertEqual((back, dim), (lora.Vector([0.5, 4.0]), 2))
        self.assertAlmostEqual(self.echo(lora.Vector([0.1]))[0], 0.1, places=6)  # float32
        with self.assertRaises(lora.CypherSemanticError) as caught:
            self.echo(lora.Vector([float("nan")]))
        self.assertIn("ArgumentError", caught.exception.code)

    def test_integers_outside_64_bits_are_refused_by_name(self):
        with self.assertRaisesRegex(OverflowError, r"\$v: 9223372036854775808 does not fit"):
            self.echo(2**63)
        with self.assertRaisesRegex(OverflowError, r"\$v\['a'\]\[1\]"):
            self.echo({"a": [1, -(2**70)]})

    def test_values_without_a_lora_type_are_refused_by_name(self):
        for value, name in [({1, 2}, "set"), (b"x", "bytes"), (object(), "object"),
                            (1j, "complex"), (lora.Node(1, [], {}), "Node")]:
            with self.subTest(name=name):
                with self.assertRaisesRegex(TypeError, r"\$v\[0\] is a .*" + name):
                    self.echo([value])
        with self.assertRaisesRegex(TypeError, r"\$v: map keys must be str, not int"):
            self.echo({1: "x"})
        with self.assertRaisesRegex(TypeError, "params must be a dict, not list"):
            self.db.execute("RETURN 1", [1])
        with self.assertRaisesRegex(TypeError, "query must be a str, not bytes"):
            self.db.execute(b"RETURN 1")

    def test_too_deep_or_self_containing_values_are_refused(self):
        deep = []
        for _ in range(5000):
            deep = [deep]
        with self.assertRaisesRegex(ValueError, r"\$v .*nest at most 1000 levels"):
            self.echo(deep)
        loop = []
        loop.append(loop)
        with self.assertRaisesRegex(ValueError, "nest at most 1000 levels"):
            self.echo(loop)
        ok = []
        for _ in range(999):
            ok = [ok]
        back, levels = self.echo(ok), 1  # 1000 levels, the most a value may have
        while back:
            (back,) = back
            levels += 1
        self.assertEqual(levels, 1000)
        # The database goes on.
        self.assertEqual(self.echo(1), 1)


if __name__ == "__main__":
    unittest.main()
