// Package shapes computes areas and perimeters of plane figures.
package shapes

import "math"

// Shape is a closed plane figure.
type Shape interface {
	Area() float64
	Perimeter() float64
}

// Circle is a circle of radius R.
type Circle struct {
	R float64
}

// Area returns the area of the circle.
func (c Circle) Area() float64 {
	return math.Pi * c.R * c.R
}

// Perimeter returns the circumference of the circle.
func (c Circle) Perimeter() float64 {
	return 2 * math.Pi * c.R
}

// Rect is an axis-aligned rectangle.
type Rect struct {
	W, H float64
}

// Area returns the area of the rectangle.
func (r *Rect) Area() float64 {
	return r.W * r.H
}

// Perimeter returns the perimeter of the rectangle.
func (r *Rect) Perimeter() float64 {
	return 2 * (r.W + r.H)
}

// TotalArea sums the areas of shapes.
func TotalArea(shapes ...Shape) float64 {
	var sum float64
	for _, s := range shapes {
		sum += s.Area()
	}
	return sum
}
