"""Financial reports of a month-end package: figures, tables, PDF and XLSX renderings, the zip."""
