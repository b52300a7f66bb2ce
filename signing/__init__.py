"""ЭЦП toolkit: the НУЦ-style test PKI, IIN/BIN, and XML-DSig in the NCALayer/Kalkan layouts."""
