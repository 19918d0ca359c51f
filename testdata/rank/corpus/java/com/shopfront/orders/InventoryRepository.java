package com.shopfront.orders;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * Stock levels and prices per SKU, kept in memory.
 *
 * <p>Methods are synchronized: reservations from concurrent orders must
 * not oversell.
 */
public class InventoryRepository {
    private final Map<String, Integer> onHand = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final Map<String, BigDecimal> prices = new HashMap<>();

    /** Adds stock for a SKU and sets its unit price. */
    public synchronized void restock(String sku, int quantity, BigDecimal unitPrice) {
        if (quantity <= 0) {
            throw new IllegalArgumentException("restock quantity must be positive");
        }
        onHand.merge(sku, quantity, Integer::sum);
        prices.put(sku, unitPrice);
    }

    /** Units that can still be reserved: on hand minus already reserved. */
    public synchronized int available(String sku) {
        return onHand.getOrDefault(sku, 0) - reserved.getOrDefault(sku, 0);
    }

    /**
     * Holds quantity units of a SKU for an order.
     *
     * @throws OutOfStockException if fewer units are available
     */
    public synchronized void reserve(String sku, int quantity) {
        int free = available(sku);
        if (free < quantity) {
            throw new OutOfStockException(sku, quantity, free);
        }
        reserved.merge(sku, quantity, Integer::sum);
    }

    /** Gives reserved units back, for a cancelled or failed order. */
    public synchronized void release(String sku, int quantity) {
        reserved.computeIfPresent(sku, (k, v) -> Math.max(0, v - quantity));
    }

    /** Returns the unit price of a SKU, failing for an unknown one. */
    public synchronized BigDecimal unitPrice(String sku) {
        BigDecimal p = prices.get(sku);
        if (p == null) {
            throw new IllegalArgumentException("unknown SKU " + sku);
        }
        return p;
    }
}

/** Thrown when an order asks for more units than are available. */
class OutOfStockException extends RuntimeException {
    final String sku;

    OutOfStockException(String sku, int wanted, int available) {
        super("SKU " + sku + ": wanted " + wanted + ", only " + available + " available");
        this.sku = sku;
    }
}
