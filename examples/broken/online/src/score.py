"""Scoring script with deliberate mistakes (see examples/README.md)."""

import json
import os
import pickle
import subprocess

import lightgbm
import sklearn


def init():
    subprocess.check_call(["pip", "install", "xgboost==2.0.3"])
    model = pickle.load(open(os.path.join(os.environ["AZUREML_MODEL_DIR"], "model.pkl"), "rb"))


def run(raw_data):
    data = pickle.loads(raw_data)
    result = model.predict(data)
    return json.dumps({"result": result.tolist()})
