"""The scale benchmark's report: a short summary for the terminal and ``eval/SCALE.md`` as tables,
both from the result dict of :func:`assistant.evaluation.scale.run_scale`."""

from __future__ import annotations

from typing import Any


def _ms(figures: dict[str, float]) -> str:
    return f"{figures['p50']:.2f} / {figures['p95']:.2f}"


def summary(result: dict[str, Any]) -> str:
    """A short human-readable account of a scale run."""
    g, b, e, d, m, s, v = (result[k] for k in ("generated", "build", "encode", "disk", "memory", "search", "vectors"))
    lines = [
        f"generated   {g['cases']:,} synthetic cases in {g['files']} files -> {result['index']['chunks']:,} chunks "
        f"(target {result['target_chunks']:,}), {result['index']['units']:,} sentence units",
        f"build       {b['chunks_per_s']} chunks/s ({b['wall_s']} s wall{', reused' if b.get('reused') else ''})",
        f"encode      {e['chunks_per_s']} chunks/s ({e['note']})",
        f"disk        {d['mb']} MB ({d['build_folder']})",
        f"memory      build peak {m['build_peak_rss_mb']} MB; search process {m['search_rss_after_load_mb']} MB "
        f"after load, peak {m['search_peak_rss_mb']} MB",
        f"search      p50 {s['search_ms']['p50']} ms, p95 {s['search_ms']['p95']} ms "
        f"({s['queries']} dev queries x {s['repeat']}, index {s['index_kind']}); of it, query embedding p50 "
        f"{s['query_embed_ms']['p50']} ms, vector index {s['vector_index_ms']['p50']} ms, "
        f"sentence-unit scan {s['unit_scan_ms']['p50']} ms",
        "vectors     size      flat p50/p95 ms   hnsw p50/p95 ms   recall@10  recall@100  hnsw build s",
    ]
    for row in v["by_size"]:
        lines.append(
            f"            {row['vectors']:<9,} {_ms(row['flat_ms']):<17} {_ms(row['hnsw_ms']):<17} "
            f"{row['recall@10']:<10} {row.get('recall@100', '-'):<11} {row['hnsw_build_s']}"
        )
    for row in v["ef_sweep"]["rows"]:
        lines.append(
            f"efSearch    {row['ef_search']:<4} p50/p95 {_ms(row['ms'])} ms  recall@10 {row['recall@10']}  "
            f"recall@100 {row.get('recall@100', '-')}  (k=10 search: recall@10 {row['k10_recall@10']})"
        )
    lines.append(
        f"switch      {v['switch_point'] or 'none within the sizes measured'} ({v['rule']}); "
        f"recall@10 there {v['switch_recall@10']}; APPROXIMATE_FROM = {v['approximate_from']:,}"
    )
    return "\n".join(lines)


def _below(v: dict[str, Any]) -> list[str]:
    """A line on the measured size just below the switch point, where exact search was still cheap."""
    sizes = [row["vectors"] for row in v["by_size"]]
    if not v["switch_point"] or sizes.index(v["switch_point"]) == 0:
        return []
    row = v["by_size"][sizes.index(v["switch_point"]) - 1]
    return [
        f"At {row['vectors']:,} vectors, the size measured below it, exact search took p50 {row['flat_ms']['p50']} ms."
    ]


def markdown(result: dict[str, Any]) -> str:
    """``eval/SCALE.md``: the scale run as tables."""
    g, b, e, d, m, s, v = (result[k] for k in ("generated", "build", "encode", "disk", "memory", "search", "vectors"))
    t = result["chunk_tokens"]
    out = [
        "# Scale benchmark",
        "",
        f"Measured on this machine ({result['machine']['cpus']} CPUs, CPU only, FAISS {result['machine']['faiss']}) "
        f"by `{result['command']}`.",
        "",
        "Load averages (1, 5, 15 min) when each part ended, as a check on other work competing for the CPUs "
        "(about 2 is this benchmark's own two threads): "
        + "; ".join(
            f"{name} {value}"
            for name, value in (
                ("build", b.get("load_average_after")),
                ("search", s.get("load_average")),
                ("encode", e.get("load_average")),
                ("exact/HNSW", v.get("load_average")),
            )
            if value
        )
        + ".",
        "",
        "## What was generated",
        "",
        f"{g['cases']:,} synthetic cases in {g['files']} digest files of {g['cases_per_file']} cases, recombined "
        f"(seed {g['seed']}) from the {g['source_sentences']} sentences of the {g['source_cases']} shipped cases: "
        "each case takes the shape of a shipped case (its sections, and about their length) and fills it with "
        "sentences drawn from the same section of any shipped case (70% of them joining the opening clauses of one "
        "shipped sentence to the closing clauses of another, with ages and dates varied), under a new heading "
        '(month, year 2010-2025, one of the shipped or other English areas, a child "Child A1234"). The real '
        "parser and chunker "
        f"made **{result['index']['chunks']:,} chunks** of them (target {result['target_chunks']:,}; calibrated "
        f"at {g['calibration']['chunks_per_case']} chunks per case on a {g['calibration']['cases']}-case sample) and "
        f"{result['index']['units']:,} quotable sentence units. Nothing was downloaded.",
        "",
        "Chunk length in word pieces (header included):",
        "",
        "| | p10 | p25 | p50 | p75 | p90 | p99 | mean |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, key in (("shipped cases", "shipped_cases"), ("synthetic (5,000 sample)", "synthetic_sample")):
        p = t[key]
        cells = " | ".join(str(p[name]) for name in ("p10", "p25", "p50", "p75", "p90", "p99", "mean"))
        out.append(f"| {label} | {cells} |")
    out += [
        "",
        "## Build, size and memory",
        "",
        "| | |",
        "|---|---|",
        f"| build (real pipeline, subprocess) | {b['wall_s']:,} s wall, **{b['chunks_per_s']} chunks/s** "
        f"(build_index's own clock: {b['build_s']:,} s) |",
        f"| bare encode | **{e['chunks_per_s']} chunks/s** ({e['note']}) |",
        f"| index on disk | **{d['mb']:,} MB** ({d['bytes']:,} bytes, live build folder) |",
        f"| peak RSS of the build | **{m['build_peak_rss_mb']:,} MB** |",
        f"| RSS after `Assistant.load` (search process) | {m['search_rss_after_load_mb']:,} MB "
        f"(load {s['load_s']} s; peak {m['search_peak_rss_mb']:,} MB) |",
        "",
        "The build embeds every chunk and every quotable sentence unit (about "
        f"{result['index']['units'] / max(1, result['index']['chunks']):.1f} per chunk), then writes BM25 and the "
        "files, so its chunks/s is well below the bare encode rate.",
        "",
        "Index on disk by part (MB): "
        + ", ".join(f"{name} {size}" for name, size in d["parts_mb"].items() if size >= 0.01)
        + ".",
        "",
        "## Search latency",
        "",
        f"`Assistant.search` (hybrid) over the {s['queries']} dev queries of `eval/queries.jsonl`, "
        f"{s['repeat']} passes after warm-up, in a fresh process, vector index {s['index_kind']}:",
        "",
        "| p50 ms | p95 ms |",
        "|---|---|",
        f"| **{s['search_ms']['p50']}** | **{s['search_ms']['p95']}** |",
        "",
        "Parts of it, timed on their own in the same process (p50 / p95 ms):",
        "",
        "| embedding the query | the vector index (k=100) | scan of the "
        f"{s['units']:,} sentence-unit vectors (plain matrix product) |",
        "|---|---|---|",
        f"| {_ms(s['query_embed_ms'])} | {_ms(s['vector_index_ms'])} | {_ms(s['unit_scan_ms'])} |",
        "",
        "The rest of a search (BM25 scoring of every chunk, the best sentence of every case and the fusion and "
        "grouping by case, in Python over all cases) grows with the corpus: at this size it, not the vector "
        "index, sets the search latency.",
        "",
        "## Exact against approximate (HNSW)",
        "",
        f"Prefixes of the built index's vectors; HNSW M={v['hnsw']['M']}, "
        f"efConstruction={v['hnsw']['efConstruction']}, "
        f"efSearch={v['hnsw']['efSearch']}. Queries: the {v['queries']['dev']} dev queries and "
        f"{v['queries']['held_out_chunks']} held-out chunk texts (generated with another seed, not in the index), "
        f"embedded; one query at a time, k={v['queries']['k']} (the retriever's `candidates`), "
        f"{v['queries']['repeat']} passes. Recall is against the exact index: the share of the exact top-k ids "
        'found in the HNSW top-k; "ties counted" also counts an HNSW hit that scores at least the exact 10th '
        "score (a recombined near-duplicate in place of its twin).",
        "",
        "| vectors | flat build s | HNSW build s | flat p50 / p95 ms | HNSW p50 / p95 ms | recall@10 | recall@100 "
        "| recall@10, ties counted |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in v["by_size"]:
        out.append(
            f"| {row['vectors']:,} | {row['flat_build_s']} | {row['hnsw_build_s']} | {_ms(row['flat_ms'])} | "
            f"{_ms(row['hnsw_ms'])} | {row['recall@10']} | {row.get('recall@100', '-')} | "
            f"{row.get('tie_recall@10', '-')} |"
        )
    sweep = v["ef_sweep"]
    if sweep["rows"]:
        out += [
            "",
            f"efSearch at {sweep['vectors']:,} vectors (FAISS searches with max(efSearch, k), so at k=100 an "
            "efSearch of 64 acts as 100; the last two columns are a k=10 search, where it counts in full):",
            "",
            "| efSearch | p50 / p95 ms (k=100) | recall@10 | recall@100 | recall@10, ties counted | "
            "k=10: p50 / p95 ms | k=10: recall@10 |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in sweep["rows"]:
            out.append(
                f"| {row['ef_search']} | {_ms(row['ms'])} | {row['recall@10']} | {row.get('recall@100', '-')} | "
                f"{row.get('tie_recall@10', '-')} | {_ms(row['k10_ms'])} | {row['k10_recall@10']} |"
            )
    out += [
        "",
        "## Switch point",
        "",
        f"Rule: the {v['rule']} (2 ms is half of the ~4 ms query embedding with ONNX, a quarter of torch's ~8 ms).",
        "",
        (
            f"**Switch point: {v['switch_point']:,} vectors**, HNSW recall@10 there {v['switch_recall@10']}."
            if v["switch_point"]
            else "**No switch point within the sizes measured**: exact search stays the better choice."
        ),
        *_below(v),
        f"`assistant/indexing/vectors.py` has `APPROXIMATE_FROM = {v['approximate_from']:,}` and `EF_SEARCH = "
        f"{v['hnsw']['efSearch']}` (the efSearch of the size table). HNSW keeps the vector index well under a "
        "millisecond of a search at every size measured.",
        "",
        "## Reproduce",
        "",
        "```sh",
        "export HF_HUB_OFFLINE=1",
        f"scr-assistant bench --scale {result['target_chunks']} --scale-dir /tmp/scale{result['target_chunks']} --json",
        "# again, reusing that build (the corpus is regenerated identically and checked against the index):",
        f"scr-assistant bench --scale {result['target_chunks']} --scale-dir /tmp/scale{result['target_chunks']} "
        "--reuse --json",
        "```",
        "",
    ]
    return "\n".join(out)
