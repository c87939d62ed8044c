#!/usr/bin/env python3
"""Reference box AP for BoxAveragePrecisionTests: writes box_ap50_reference.json.

pycocotools is not installable on the development machine, so this is a line-by-line numpy port of
pycocotools.cocoeval.COCOeval (2.0.x) for iouType="bbox", one IoU threshold, area range "all", maxDets 100:
COCO.loadRes numbering (detection ids from 1), _prepare (ignore = iscrowd), computeIoU (maskUtils.iou on boxes:
intersection over union, over the detection's area for crowd ground truth), evaluateImg and accumulate, and
summarize's mean over precision > -1. The cases are seeded random scenes: jittered and random boxes, crowd regions,
tied scores, an image with more than 100 detections, a category without ground truth and one without detections.

Run: python3 box_ap50_reference.py   (numpy only)
"""
import json
import os

import numpy as np


def bb_iou(d, g, crowd):
    """maskApi.c bbIou."""
    ious = np.zeros((len(d), len(g)))
    for j, gb in enumerate(g):
        gx0, gy0, gw, gh = gb
        ga = gw * gh
        for i, db in enumerate(d):
            dx0, dy0, dw, dh = db
            da = dw * dh
            w = min(dx0 + dw, gx0 + gw) - max(dx0, gx0)
            if w <= 0:
                continue
            h = min(dy0 + dh, gy0 + gh) - max(dy0, gy0)
            if h <= 0:
                continue
            inter = w * h
            u = da if crowd[j] else da + ga - inter
            ious[i, j] = inter / u
    return ious


def evaluate(gts, dts, iou_thr=0.5, max_det=100):
    for i, d in enumerate(dts):
        d["id"] = i + 1
    for g in gts:
        g["ignore"] = 1 if g["iscrowd"] else 0
    img_ids = sorted({g["image_id"] for g in gts} | {d["image_id"] for d in dts})
    cat_ids = sorted({g["category_id"] for g in gts} | {d["category_id"] for d in dts})
    recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
    per_cat = {}
    for c in cat_ids:
        E = []
        for im in img_ids:
            gt = [g for g in gts if g["image_id"] == im and g["category_id"] == c]
            dt = [d for d in dts if d["image_id"] == im and d["category_id"] == c]
            if len(gt) == 0 and len(dt) == 0:
                continue
            for g in gt:
                g["_ignore"] = 1 if g["ignore"] else 0
            gtind = np.argsort([g["_ignore"] for g in gt], kind="mergesort")
            gt = [gt[i] for i in gtind]
            dtind = np.argsort([-d["score"] for d in dt], kind="mergesort")
            dt = [dt[i] for i in dtind[0:max_det]]
            iscrowd = [int(o["iscrowd"]) for o in gt]
            ious = bb_iou([d["bbox"] for d in dt], [g["bbox"] for g in gt], iscrowd) if len(dt) and len(gt) else []
            G, D = len(gt), len(dt)
            gtm = np.zeros(G)
            dtm = np.zeros(D)
            gtIg = np.array([g["_ignore"] for g in gt])
            dtIg = np.zeros(D)
            if len(ious):
                for dind, d in enumerate(dt):
                    iou = min([iou_thr, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dtIg[dind] = gtIg[m]
                    dtm[dind] = gt[m]["id"]
                    gtm[m] = d["id"]
            E.append(dict(dtScores=[d["score"] for d in dt], dtMatches=dtm, dtIgnore=dtIg, gtIgnore=gtIg))
        dtScores = np.concatenate([e["dtScores"][0:max_det] for e in E])
        inds = np.argsort(-dtScores, kind="mergesort")
        dtm = np.concatenate([e["dtMatches"][0:max_det] for e in E])[inds]
        dtIg = np.concatenate([e["dtIgnore"][0:max_det] for e in E])[inds]
        gtIg = np.concatenate([e["gtIgnore"] for e in E])
        npig = np.count_nonzero(gtIg == 0)
        if npig == 0:
            continue
        tps = np.logical_and(dtm, np.logical_not(dtIg))
        fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
        tp_sum = np.cumsum(tps).astype(dtype=float)
        fp_sum = np.cumsum(fps).astype(dtype=float)
        tp, fp = np.array(tp_sum), np.array(fp_sum)
        rc = tp / npig
        pr = tp / (fp + tp + np.spacing(1))
        q = np.zeros((len(recThrs),))
        pr = pr.tolist()
        q = q.tolist()
        for i in range(len(tp) - 1, 0, -1):
            if pr[i] > pr[i - 1]:
                pr[i - 1] = pr[i]
        inds = np.searchsorted(rc, recThrs, side="left")
        try:
            for ri, pi in enumerate(inds):
                q[ri] = pr[pi]
        except IndexError:
            pass
        per_cat[c] = float(np.mean(q))
    mean = float(np.mean(list(per_cat.values()))) if per_cat else 0.0
    return mean, per_cat


def scene(rng, images, categories, many_in=None):
    gts, dts = [], []
    aid = 1
    for im in range(1, images + 1):
        for c in categories:
            for _ in range(rng.integers(0, 4)):
                x, y = rng.uniform(0, 200, 2).round(2)
                w, h = rng.uniform(5, 120, 2).round(2)
                crowd = bool(rng.random() < 0.12)
                gts.append(dict(id=aid, image_id=im, category_id=c, bbox=[float(x), float(y), float(w), float(h)], iscrowd=int(crowd)))
                aid += 1
                # Detections near it: some good, some shifted, duplicates.
                for _ in range(rng.integers(0, 3)):
                    j = rng.normal(0, rng.choice([2, 10, 30]), 4)
                    dts.append(dict(image_id=im, category_id=c, bbox=[float(x + j[0]), float(y + j[1]), float(max(1, w + j[2])), float(max(1, h + j[3]))],
                                    score=float(np.round(rng.random(), 1))))
            for _ in range(rng.integers(0, 3)):
                x, y = rng.uniform(0, 200, 2)
                w, h = rng.uniform(5, 120, 2)
                dts.append(dict(image_id=im, category_id=c, bbox=[float(x), float(y), float(w), float(h)], score=float(np.round(rng.random(), 2))))
    if many_in is not None:
        im, c = many_in
        for _ in range(130):
            x, y = rng.uniform(0, 200, 2)
            dts.append(dict(image_id=im, category_id=c, bbox=[float(x), float(y), 40.0, 40.0], score=float(rng.random())))
    # A category with detections only (left out) and, when present, categories with ground truth only (AP 0).
    dts.append(dict(image_id=1, category_id=99, bbox=[0.0, 0.0, 10.0, 10.0], score=0.9))
    return gts, dts


def main():
    rng = np.random.default_rng(20261201)
    cases = []
    for k in range(12):
        gts, dts = scene(rng, images=int(rng.integers(1, 6)), categories=[1, 2, 3], many_in=(1, 2) if k % 4 == 3 else None)
        gts.append(dict(id=10_000, image_id=1, category_id=7, bbox=[5.0, 5.0, 20.0, 20.0], iscrowd=0))
        g_out = [dict(image_id=g["image_id"], category_id=g["category_id"], bbox=g["bbox"], iscrowd=g["iscrowd"]) for g in gts]
        d_out = [dict(image_id=d["image_id"], category_id=d["category_id"], bbox=d["bbox"], score=d["score"]) for d in dts]
        mean, per_cat = evaluate(gts, dts)
        cases.append(dict(ground_truth=g_out, detections=d_out, ap50=mean, per_category={str(c): v for c, v in per_cat.items()}))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "box_ap50_reference.json")
    with open(out, "w") as f:
        json.dump(dict(generator="box_ap50_reference.py (numpy port of pycocotools COCOeval, bbox, IoU 0.5, area all, maxDets 100)", cases=cases), f)
    print(out, [round(c["ap50"], 4) for c in cases])


if __name__ == "__main__":
    main()
