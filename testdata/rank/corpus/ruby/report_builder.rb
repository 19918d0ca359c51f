# frozen_string_literal: true

require "csv"
require "erb"

module Reports
  # Number and date formatting shared by the report templates.
  module Formatting
    # Formats an integer amount of cents with a thousands separator:
    # 1234567 becomes "12,345.67".
    def self.money(cents)
      units, rem = cents.abs.divmod(100)
      grouped = units.to_s.reverse.scan(/\d{1,3}/).join(",").reverse
      format("%s%s.%02d", cents.negative? ? "-" : "", grouped, rem)
    end

    # Formats a ratio as a percentage with one decimal: 0.1234 -> "12.3%".
    def self.percent(ratio)
      format("%.1f%%", ratio * 100)
    end
  end

  # Builds the weekly sales report from order rows: totals per region,
  # the best-selling products, and the week-over-week change.
  class ReportBuilder
    Row = Struct.new(:region, :product, :quantity, :revenue_cents, keyword_init: true)

    attr_reader :rows

    def initialize(rows, previous_total_cents: nil)
      @rows = rows
      @previous_total_cents = previous_total_cents
    end

    # Loads order rows from a CSV export with region, product, quantity
    # and revenue_cents columns.
    def self.from_csv(path, **opts)
      rows = CSV.foreach(path, headers: true).map do |r|
        Row.new(region: r["region"], product: r["product"],
                quantity: Integer(r["quantity"]), revenue_cents: Integer(r["revenue_cents"]))
      end
      new(rows, **opts)
    end

    # Revenue in cents per region, largest first.
    def totals_by_region
      rows.group_by(&:region)
          .transform_values { |rs| rs.sum(&:revenue_cents) }
          .sort_by { |_, cents| -cents }
          .to_h
    end

    # The n products that sold the most units, with their unit counts.
    def top_products(n = 5)
      rows.each_with_object(Hash.new(0)) { |r, acc| acc[r.product] += r.quantity }
          .max_by(n) { |_, qty| qty }
    end

    # Change in total revenue against the previous week as a ratio, or
    # nil when there is no previous week to compare with.
    def week_over_week_change
      return nil if @previous_total_cents.nil? || @previous_total_cents.zero?

      total = rows.sum(&:revenue_cents)
      (total - @previous_total_cents).fdiv(@previous_total_cents)
    end

    # Renders the report as plain text for the weekly email.
    def render_text
      lines = ["Weekly sales report", ""]
      totals_by_region.each do |region, cents|
        lines << format("%-12s %14s", region, Formatting.money(cents))
      end
      lines << ""
      top_products.each_with_index do |(product, qty), i|
        lines << "#{i + 1}. #{product} (#{qty} units)"
      end
      change = week_over_week_change
      lines << "" << "Change vs last week: #{Formatting.percent(change)}" if change
      lines.join("\n")
    end
  end
end
