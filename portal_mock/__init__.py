"""The egov.kz portal with its personal cabinet, and the ЦОН operator workstation."""
