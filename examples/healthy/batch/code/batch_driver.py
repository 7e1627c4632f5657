"""Batch scoring: each mini-batch is a list of CSV files."""

import os

import joblib
import pandas as pd

model = None


def init():
    global model
    model = joblib.load(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"))


def run(mini_batch):
    results = []
    for path in mini_batch:
        frame = pd.read_csv(path)
        frame["prediction"] = model.predict(frame)
        results.append(frame)
    return pd.concat(results)
