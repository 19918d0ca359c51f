import React, { useEffect, useState } from "react";

export interface TodoItem {
  id: number;
  title: string;
  done: boolean;
}

type Filter = "all" | "open" | "done";

const FILTERS: Filter[] = ["all", "open", "done"];
const STORAGE_KEY = "todos.v1";
const initial: TodoItem[] = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "[]");

/** useTodos keeps the list in local storage. */
export function useTodos(): [TodoItem[], (items: TodoItem[]) => void] {
  const [items, setItems] = useState<TodoItem[]>(initial);
  useEffect(() => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(items));
  }, [items]);
  return [items, setItems];
}

// Row renders one item with a checkbox.
const Row = ({ item, onToggle }: { item: TodoItem; onToggle: (id: number) => void }) => (
  <li className={item.done ? "done" : ""}>
    <input type="checkbox" checked={item.done} onChange={() => onToggle(item.id)} />
    {item.title}
  </li>
);

/**
 * TodoList shows the items matching the current filter.
 */
export default function TodoList() {
  const [items, setItems] = useTodos();
  const [filter, setFilter] = useState<Filter>("all");
  const visible = items.filter((i) => filter === "all" || (filter === "done") === i.done);
  const toggle = (id: number) =>
    setItems(items.map((i) => (i.id === id ? { ...i, done: !i.done } : i)));
  return (
    <section>
      <nav>
        {FILTERS.map((f) => (
          <button key={f} disabled={f === filter} onClick={() => setFilter(f)}>
            {f}
          </button>
        ))}
      </nav>
      <ul>
        {visible.map((i) => (
          <Row key={i.id} item={i} onToggle={toggle} />
        ))}
      </ul>
    </section>
  );
}

export class ErrorBoundary extends React.Component<{ children: React.ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (this.state.error) {
      return <p role="alert">Something went wrong: {this.state.error.message}</p>;
    }
    return this.props.children;
  }
}
