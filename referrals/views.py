"""Referral pages and the PDF exports. Thin views: access helper, form, one service."""
