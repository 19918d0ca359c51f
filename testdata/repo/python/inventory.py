"""Inventory tracks stock levels of a small warehouse."""


class Inventory:
    """A mapping from item name to quantity on hand."""

    def __init__(self):
        self.items = {}

    def add(self, name, qty):
        """Add qty units of name to the stock."""
        self.items[name] = self.items.get(name, 0) + qty

    def remove(self, name, qty):
        """Remove qty units of name; raises if there are not enough."""
        if self.items.get(name, 0) < qty:
            raise ValueError("not enough " + name)
        self.items[name] -= qty


def restock(inventory, orders):
    """Apply a list of (name, qty) orders."""
    for name, qty in orders:
        inventory.add(name, qty)
