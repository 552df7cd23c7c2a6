"""Applications: complete models and the honest baselines they are measured against.

Each module builds on the layers below it (``lstm_ref.numpy``, ``lstm_ref.torch``,
``lstm_ref.data`` and the training core ``lstm_ref.train``) and is imported on
its own, e.g. ``from lstm_ref.apps.seq2seq import Seq2Seq``; none imports
another's private names, and none draws figures (``lstm_ref.viz`` does, from
plain arrays).

``forecast``
    Forecasting one series: seasonal naive, ETS, SARIMA and an LSTM forecaster.
``finance``
    Honest scores for financial forecasts: directional accuracy with its
    interval, Diebold–Mariano, QLIKE, the GARCH(1,1) baseline.
``anomaly``
    Anomaly scores (rolling z-score, forecast errors) and how to judge them.
``charlm``, ``ngram``
    A character language model and its Kneser–Ney n-gram baseline.
``pretrained``
    Trained models that ship with the book (``safetensors``), loaded by name.
``interpret``
    What a trained LSTM's units track, how saturated its gates are, and how far
    back a state's gradient reaches.
``classify``
    Sequence classification: a packed recurrent classifier, n-gram baselines,
    balanced accuracy.
``seq2seq``
    An encoder-decoder LSTM with Luong's or Bahdanau's attention, greedy
    decoding and beam search.
``distributed``
    Data-parallel training with ``DistributedDataParallel`` under ``torchrun``.
``ctc``, ``speech``, ``handwriting``
    Recognition without segmentation: a (bi)LSTM trained with CTC, its
    decoders, and the classic baselines (DTW, HMMs, segment-then-classify).
``music``, ``tagging``
    Melodies of the Bach chorales with their n-gram baseline; a BiLSTM(-CRF)
    tagger with the most-frequent-tag and feature-CRF baselines.
``video``
    Clips of moving digits: a CNN + LSTM classifier with its order-blind
    control, and a ConvLSTM next-frame predictor with copy-last-frame and
    linear-extrapolation baselines.
``forget_bias``
    Chapter 4's experiment: temporal order trained with one forget-gate bias
    changed, and how many seeds solve it within a budget.
``transformer``, ``compare``
    A causal Transformer from PyTorch's own layers, and equal-footing
    comparisons of the LSTM with it and with the recurrent revival.
"""
