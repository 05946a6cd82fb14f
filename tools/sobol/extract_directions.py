"""Writes src/main/resources/org/explainj/methods/sobol-directions.txt: the first 512 dimensions (Sobol
masks for grids up to 16 x 16 use 2 * 256) of the Joe-Kuo direction numbers (new-joe-kuo-6.21201) as
TensorFlow ships them in tensorflow/include/external/sobol_data/sobol_data.h (row d, digit k: the direction
number V_k >> (32 - k), k = 1..24). TensorFlow Java's native library has no kernel for SobolSample, so
ExplainJ builds the design itself from these numbers.

Run from the repository root:  /work/venv/bin/python tools/sobol/extract_directions.py
"""
import os
import re
import tensorflow as tf

DIMS, DIGITS = 512, 24
header = os.path.join(os.path.dirname(tf.__file__), "include", "external", "sobol_data", "sobol_data.h")
text = open(header).read()
body = text[text.index("kDirectionNumbers"):]
rows = re.findall(r"\{([0-9, ]+)\}", body)[:DIMS]
out = os.path.join("src", "main", "resources", "org", "explainj", "methods", "sobol-directions.txt")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write("# Sobol direction numbers of Joe and Kuo (new-joe-kuo-6.21201), first %d dimensions, digits 1..%d\n"
            % (DIMS, DIGITS))
    f.write("# (row d, column k: V_k >> (32 - k)), as in TensorFlow's sobol_data.h.\n")
    f.write("# Copyright (c) 2008, Frances Y. Kuo and Stephen Joe. Copyright 2019 Google LLC. All rights reserved.\n")
    f.write("# Use of this data is governed by a BSD-style license: https://developers.google.com/open-source/licenses/bsd\n")
    f.write("# Made by tools/sobol/extract_directions.py\n")
    for r in rows:
        f.write(" ".join(r.replace(" ", "").split(",")[:DIGITS]) + "\n")
