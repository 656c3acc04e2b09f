"""Company administration in the portal: a company admin manages their company's users and
reads (and exports) the company's audit log."""
