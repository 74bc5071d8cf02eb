"""The values of query results that Python has no type for: nodes, relationships, paths and
vectors. Nodes and relationships are equal when their ids are."""


class _Entity:
    """Property access shared by nodes and relationships: entity["key"], .get, .keys, ..."""

    __slots__ = ()

    def __getitem__(self, key):
        return self.properties[key]

    def __contains__(self, key):
        return key in self.properties

    def get(self, key, default=None):
        return self.properties.get(key, default)

    def keys(self):
        return self.properties.keys()

    def values(self):
        return self.properties.values()

    def items(self):
        return self.properties.items()

    def __eq__(self, other):
        return type(other) is type(self) and other.id == self.id

    def __hash__(self):
        return hash((type(self), self.id))


class Node(_Entity):
    """A node: .id (int), .labels (frozenset of str), .properties (dict)."""

    __slots__ = ("id", "labels", "properties")

    def __init__(self, id, labels, properties):
        self.id = id
        self.labels = frozenset(labels)
        self.properties = properties

    def __repr__(self):
        labels = "".join(":" + label for label in sorted(self.labels))
        return f"lora.Node(id={self.id}, labels='{labels}', properties={self.properties!r})"


class Relationship(_Entity):
    """A relationship: .id, .type (str), .start and .end (node ids), .properties (dict)."""

    __slots__ = ("id", "type", "start", "end", "properties")

    def __init__(self, id, type, start, end, properties):
        self.id = id
        self.type = type
        self.start = start
        self.end = end
        self.properties = properties

    def __repr__(self):
        return (
            f"lora.Relationship(id={self.id}, type={self.type!r}, start={self.start}, "
            f"end={self.end}, properties={self.properties!r})"
        )


class Path:
    """A path: .nodes and .relationships (tuples; relationships[i] joins nodes[i] and
    nodes[i + 1] in either direction), .start_node, .end_node; len() is its number of
    relationships and iterating it yields them."""

    __slots__ = ("nodes", "relationships")

    def __init__(self, nodes, relationships):
        self.nodes = tuple(nodes)
        self.relationships = tuple(relationships)

    @property
    def start_node(self):
        return self.nodes[0]

    @property
    def end_node(self):
        return self.nodes[-1]

    def __len__(self):
        return len(self.relationships)

    def __iter__(self):
        return iter(self.relationships)

    def __eq__(self, other):
        return (
            type(other) is Path
            and other.nodes == self.nodes
            and other.relationships == self.relationships
        )

    def __hash__(self):
        return hash((self.nodes, self.relationships))

    def __repr__(self):
        return f"lora.Path(nodes={list(self.nodes)!r}, relationships={list(self.relationships)!r})"


class Vector:
    """A VECTOR value: .coords, a tuple of float. lora keeps float32 coordinates (dimension
    1 to 4096, all finite: the engine checks a vector parameter and raises
    lora.CypherSemanticError otherwise), so 0.1 reads back as 0.10000000149011612. Pass
    lora.Vector([...]) as a parameter to store a vector (a plain list stays a LIST)."""

    __slots__ = ("coords",)

    def __init__(self, coords):
        self.coords = tuple(float(c) for c in coords)

    def __len__(self):
        return len(self.coords)

    def __iter__(self):
        return iter(self.coords)

    def __getitem__(self, index):
        return self.coords[index]

    def __eq__(self, other):
        return type(other) is Vector and other.coords == self.coords

    def __hash__(self):
        return hash(self.coords)

    def __repr__(self):
        return f"lora.Vector({list(self.coords)!r})"
