"""HTTP routes of the fora service, one module per part of the domain; all thin."""
