package com.shopfront.orders;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Places and cancels customer orders.
 *
 * <p>An order reserves stock for each line when it is placed and releases
 * it when it is cancelled. Prices are computed here, not trusted from the
 * client.
 */
public class OrderService {
    private static final BigDecimal VAT_RATE = new BigDecimal("0.21");

    private final InventoryRepository inventory;
    private final OrderRepository orders;
    private final Clock clock;

    public OrderService(InventoryRepository inventory, OrderRepository orders, Clock clock) {
        this.inventory = Objects.requireNonNull(inventory);
        this.orders = Objects.requireNonNull(orders);
        this.clock = clock;
    }

    /**
     * Places an order: reserves stock for every line, all or nothing, then
     * saves the order with its computed total.
     *
     * @throws OutOfStockException if any line cannot be reserved; lines
     *     reserved before it are released again
     */
    public Order placeOrder(String customerId, List<OrderLine> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("an order needs at least one line");
        }
        int reserved = 0;
        try {
            for (OrderLine line : lines) {
                inventory.reserve(line.sku(), line.quantity());
                reserved++;
            }
        } catch (OutOfStockException e) {
            for (OrderLine line : lines.subList(0, reserved)) {
                inventory.release(line.sku(), line.quantity());
            }
            throw e;
        }
        Order order = new Order(UUID.randomUUID().toString(), customerId, lines,
                computeTotal(lines), OrderStatus.PLACED, Instant.now(clock));
        orders.save(order);
        return order;
    }

    /**
     * Cancels a placed order and puts its stock back. Shipped orders
     * cannot be cancelled; cancelling twice is a no-op.
     */
    public Order cancelOrder(String orderId) {
        Order order = orders.findById(orderId)
                .orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
        if (order.status() == OrderStatus.CANCELLED) {
            return order;
        }
        if (order.status() == OrderStatus.SHIPPED) {
            throw new IllegalStateException("order " + orderId + " has already shipped");
        }
        for (OrderLine line : order.lines()) {
            inventory.release(line.sku(), line.quantity());
        }
        Order cancelled = order.withStatus(OrderStatus.CANCELLED);
        orders.save(cancelled);
        return cancelled;
    }

    /**
     * Sums unit price times quantity over the lines, applies volume
     * discounts, and adds VAT, rounding half-up to cents.
     */
    public BigDecimal computeTotal(List<OrderLine> lines) {
        BigDecimal net = BigDecimal.ZERO;
        for (OrderLine line : lines) {
            BigDecimal price = inventory.unitPrice(line.sku());
            BigDecimal lineTotal = price.multiply(BigDecimal.valueOf(line.quantity()));
            net = net.add(applyVolumeDiscount(lineTotal, line.quantity()));
        }
        return net.multiply(BigDecimal.ONE.add(VAT_RATE)).setScale(2, RoundingMode.HALF_UP);
    }

    /**
     * Takes 5% off a line of 10 or more units and 10% off 50 or more.
     */
    static BigDecimal applyVolumeDiscount(BigDecimal lineTotal, int quantity) {
        if (quantity >= 50) {
            return lineTotal.multiply(new BigDecimal("0.90"));
        }
        if (quantity >= 10) {
            return lineTotal.multiply(new BigDecimal("0.95"));
        }
        return lineTotal;
    }
}
