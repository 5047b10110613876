"""A current-layout package's media: decoding its zstd entries, retain's reader against zstd's own.

    python benchmarks/bench_zstd_media.py [--mb 150] [--runs 3]

An Anki package of the current layout holds each media file as a zstd frame
inside a zip entry. retain decodes them with `apkg_archive._Frames`, which
must notice a frame cut short (zstd's `stream_reader` does not) and bound what
one decoder call makes (`zstd_layout.Layout`). Printed, for `--mb` MB of bytes
that do not compress (audio, images) and of text, each packed as Anki packs
media (zstd level 3 here): the best of `--runs` times of `_Frames` read to the
end, and of zstd's `stream_reader` on the same bytes, which bounds nothing and
checks nothing (the floor), and how many decoder calls `_Frames` made.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from retain.interop.anki.apkg_archive import _READ, _Frames, _Prefixed

__all__ = ["main"]


def _frames_time(packed: bytes) -> tuple[float, int]:
    src = io.BytesIO(packed)
    frames = _Frames(_Prefixed(src.read(4), src))  # type: ignore[arg-type]
    feed, calls = frames._feed, [0]

    def counted() -> bool:
        calls[0] += 1
        return feed()

    frames._feed = counted  # type: ignore[method-assign]
    start = time.perf_counter()
    while frames.read(_READ):
        pass
    return time.perf_counter() - start, calls[0]


def _reader_time(packed: bytes) -> float:
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed), read_across_frames=True)
    start = time.perf_counter()
    while reader.read(_READ):
        pass
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    size = args.mb * 1_000_000
    words = b"the quick brown fox jumps over the lazy dog while kafka replicates its partitions "
    kinds = {
        "incompressible": random.Random(7).randbytes(size),
        "text": (words * (size // len(words) + 1))[:size],
    }
    print(f"{args.mb} MB each, best of {args.runs}:")
    for name, data in kinds.items():
        packed = zstandard.ZstdCompressor(level=3).compress(data)
        best = min(_frames_time(packed) for _ in range(args.runs))
        floor = min(_reader_time(packed) for _ in range(args.runs))
        print(
            f"  {name:15} packed {len(packed) / 1e6:7.1f} MB  _Frames {best[0]:6.3f} s"
            f" ({best[1]} calls)  zstd stream_reader {floor:6.3f} s  ratio {best[0] / floor:5.2f}x"
        )


if __name__ == "__main__":
    main()
