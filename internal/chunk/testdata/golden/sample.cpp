// Shape geometry with a small registry.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace geo {

constexpr double kPi = 3.14159265358979323846;
using Registry = std::map<std::string, std::unique_ptr<class Shape>>;

/// Shape is the base of all shapes.
class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const { return "shape"; }

    /// Bounds is an axis-aligned box.
    struct Bounds {
        double x0, y0, x1, y1;
        double width() const { return x1 - x0; }
    };
};

class Circle : public Shape {
public:
    explicit Circle(double r);
    double area() const override;
    std::string name() const override { return "circle"; }

private:
    double r_;
};

enum class Unit { Millimetre, Inch };

template <typename T>
struct Point {
    T x, y;
    T dot(const Point &o) const { return x * o.x + y * o.y; }
};

// Circle::Circle stores the radius.
Circle::Circle(double r) : r_(r) {}

/** area is pi r squared. */
double Circle::area() const
{
    return kPi * r_ * r_;
}

double Shape::Bounds::height() const { return y1 - y0; }

static double total_area(const std::vector<std::unique_ptr<Shape>> &shapes)
{
    double sum = 0;
    for (const auto &s : shapes)
        sum += s->area();
    return sum;
}

} // namespace geo

int main()
{
    std::vector<std::unique_ptr<geo::Shape>> shapes;
    shapes.push_back(std::make_unique<geo::Circle>(1.0));
    shapes.push_back(std::make_unique<geo::Circle>(2.0));
    return geo::total_area(shapes) > 15 ? 0 : 1;
}
