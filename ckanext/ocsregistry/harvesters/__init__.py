"""Harvesting between regional registries (ckanext-harvest)."""
from ckanext.ocsregistry.harvesters.registry_harvester import RegistryHarvester

__all__ = ["RegistryHarvester"]
