import { LogBuffer } from './log-buffer';

describe('LogBuffer', () => {
  it('keeps every line until it is full', () => {
    const buffer = new LogBuffer<number>(5);
    buffer.push([1, 2]);
    buffer.push([3]);
    expect(buffer.items).toEqual([1, 2, 3]);
    expect(buffer.dropped).toBe(0);
  });

  it('drops the oldest lines when full and counts them', () => {
    const buffer = new LogBuffer<number>(5);
    buffer.push([1, 2, 3, 4]);
    expect(buffer.push([5, 6, 7])).toBe(2);
    expect(buffer.items).toEqual([3, 4, 5, 6, 7]);
    expect(buffer.dropped).toBe(2);
  });

  it('keeps only the newest of a batch larger than the buffer', () => {
    const buffer = new LogBuffer<number>(3);
    buffer.push([1]);
    buffer.push([2, 3, 4, 5, 6]);
    expect(buffer.items).toEqual([4, 5, 6]);
    expect(buffer.dropped).toBe(3);
    expect(buffer.length).toBe(3);
  });

  it('gives a new array on every change, so a signal holding it notices', () => {
    const buffer = new LogBuffer<number>(3);
    const before = buffer.items;
    buffer.push([1]);
    expect(buffer.items).not.toBe(before);
    const same = buffer.items;
    buffer.push([]);
    expect(buffer.items).toBe(same);
  });

  it('stays bounded however much arrives', () => {
    const buffer = new LogBuffer<number>(10_000);
    for (let i = 0; i < 100; i++) buffer.push(Array.from({ length: 1000 }, (_, j) => i * 1000 + j));
    expect(buffer.length).toBe(10_000);
    expect(buffer.items[0]).toBe(90_000);
    expect(buffer.dropped).toBe(90_000);
  });

  it('clears lines and the dropped count; counts lines dropped before arriving', () => {
    const buffer = new LogBuffer<number>(2);
    buffer.push([1, 2, 3]);
    buffer.countDropped(5);
    expect(buffer.dropped).toBe(6);
    buffer.clear();
    expect(buffer.items).toEqual([]);
    expect(buffer.dropped).toBe(0);
  });

  it('gives back its newest lines to be put in again in another order, without counting them as dropped', () => {
    const buffer = new LogBuffer<number>(5);
    buffer.push([1, 2, 5, 6]);
    expect(buffer.truncate(2)).toEqual([5, 6]);
    buffer.push([3, 4, 5, 6]);
    expect(buffer.items).toEqual([2, 3, 4, 5, 6]);
    expect(buffer.dropped).toBe(1);
    expect(buffer.truncate(5)).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LogBuffer(0)).toThrow(RangeError);
  });
});
