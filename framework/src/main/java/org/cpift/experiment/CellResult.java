package org.cpift.experiment;

import org.cpift.method.MethodResult;

/** A finished cell: the cell, its cache key, and what the method produced. */
public record CellResult(Cell cell, String key, MethodResult result) {}
