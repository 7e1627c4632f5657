import pandas as pd


def init(model_dir):
    pass


def run():
    return pd.DataFrame()
