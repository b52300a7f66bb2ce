"""ШЭП (ЭҮШ) SyncChannel/AsyncChannel v10 and the regional РШЭП (ӨЭҮШ) with the provider АРМ."""
