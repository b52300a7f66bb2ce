"""ГБД ФЛ (ЖТ МДҚ), the state database of individuals, as a provider behind ШЭП."""
