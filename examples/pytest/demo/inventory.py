"""An in-memory inventory with reservations."""

from dataclasses import dataclass, field


class InventoryError(Exception):
    pass


class OutOfStock(InventoryError):
    def __init__(self, sku, wanted, available):
        super().__init__(f"{sku}: wanted {wanted}, only {available} available")
        self.sku, self.wanted, self.available = sku, wanted, available


@dataclass
class Item:
    sku: str
    name: str
    on_hand: int = 0
    reserved: int = 0
    tags: set = field(default_factory=set)

    @property
    def available(self):
        return self.on_hand - self.reserved


class Inventory:
    def __init__(self):
        self._items = {}
        self.log = []

    def add(self, sku, name, qty=0, tags=()):
        if qty < 0:
            raise InventoryError("quantity must not be negative")
        item = self._items.get(sku)
        if item is None:
            item = self._items[sku] = Item(sku, name, tags=set(tags))
        elif item.name != name:
            raise InventoryError(f"{sku} already exists as {item.name!r}")
        item.on_hand += qty
        self.log.append(("add", sku, qty))
        return item

    def get(self, sku):
        try:
            return self._items[sku]
        except KeyError:
            raise InventoryError(f"unknown sku {sku}") from None

    def reserve(self, sku, qty):
        item = self.get(sku)
        if qty <= 0:
            raise InventoryError("reserve a positive quantity")
        if qty > item.available:
            raise OutOfStock(sku, qty, item.available)
        item.reserved += qty
        self.log.append(("reserve", sku, qty))

    def release(self, sku, qty):
        item = self.get(sku)
        if qty > item.reserved:
            raise InventoryError(f"{sku}: only {item.reserved} reserved")
        item.reserved -= qty
        self.log.append(("release", sku, qty))

    def ship(self, sku, qty):
        """Ship reserved stock."""
        item = self.get(sku)
        if qty > item.reserved:
            raise InventoryError(f"{sku}: ship {qty} but only {item.reserved} reserved")
        item.reserved -= qty
        item.on_hand -= qty
        self.log.append(("ship", sku, qty))

    def restock(self, sku, qty):
        self.get(sku).on_hand += qty
        self.log.append(("restock", sku, qty))

    def low_stock(self, threshold=5):
        return sorted(s for s, it in self._items.items() if it.available <= threshold)

    def by_tag(self, tag):
        return sorted(s for s, it in self._items.items() if tag in it.tags)

    def value(self, prices):
        """Total value of stock on hand given a {sku: price} mapping."""
        total = 0
        for sku, item in self._items.items():
            if sku not in prices:
                # Deliberately left uncovered by the tests.
                raise InventoryError(f"no price for {sku}")
            total += prices[sku] * item.on_hand
        return total

    def __len__(self):
        return len(self._items)

    def __contains__(self, sku):
        return sku in self._items
